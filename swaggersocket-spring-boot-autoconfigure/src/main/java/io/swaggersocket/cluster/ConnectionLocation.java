package io.swaggersocket.cluster;

import java.net.URI;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a live connection is held in the cluster: the connection's id and metadata, the
 * hub that holds its socket and the URL other hubs reach that hub at.
 *
 * @param connectionId the connection id
 * @param metadata the metadata the peer sent in its handshake
 * @param hubId the id of the hub that holds the connection
 * @param hubUrl the URL other hubs reach that hub at
 * @param connectedAt when the connection was established
 * @param local whether this hub holds the connection
 */
public record ConnectionLocation(String connectionId, Map<String, Object> metadata, String hubId, URI hubUrl,
		Instant connectedAt, boolean local) {

	public ConnectionLocation {
		// JSON metadata may hold null values, which Map.copyOf refuses
		metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
	}

}
