package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * An immutable view of an established connection, the same for its whole life.
 *
 * @param id the connection id assigned by the server in the handshake
 * @param role this application's end of the connection
 * @param metadata the metadata the client sent in the handshake (a JSON object)
 * @param remoteAddress the peer's address, if known
 * @param principal the principal that authenticated the WebSocket upgrade (server role),
 * if any
 * @param connectedAt when the handshake completed
 */
public record ConnectionInfo(String id, ConnectionRole role, Map<String, Object> metadata,
		@Nullable InetSocketAddress remoteAddress, @Nullable Principal principal, Instant connectedAt) {

	public ConnectionInfo {
		// JSON metadata may hold null values, which Map.copyOf refuses
		metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
	}

}
