package io.swaggersocket.cluster;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Which hub holds which connection. The default directory knows only this hub's own
 * connections; with {@code swaggersocket.cluster.enabled=true} and Spring Data Redis
 * reactive on the classpath, every hub publishes its connections to Redis and any hub can
 * find any connection.
 *
 * <p>
 * Look-ups that cannot consult the shared directory (Redis is down) fail with
 * {@link SwaggerSocketClusterUnavailableException}; this hub's own connections are always
 * found, from memory.
 */
public interface ConnectionDirectory {

	/**
	 * Return this hub's id in the cluster.
	 * @return the hub id
	 */
	String hubId();

	/**
	 * Find a live connection by id, wherever it is held.
	 * @param connectionId the connection id
	 * @return the location, or empty if no live connection has that id
	 */
	Mono<ConnectionLocation> locate(String connectionId);

	/**
	 * Find a live connection by id for a call to it, which the hub named checks: a hub
	 * forwards only to connections it holds and answers 421 otherwise, and the caller
	 * then looks up again with {@link #locate(String)}. So a directory may answer here a
	 * remote location it found a moment ago, which the connection may have left since.
	 * @param connectionId the connection id
	 * @return the location, or empty if no live connection has that id
	 */
	default Mono<ConnectionLocation> locateForCall(String connectionId) {
		return locate(connectionId);
	}

	/**
	 * Find the live connections whose metadata has a top-level entry {@code key} whose
	 * value's text ({@code String.valueOf}) is {@code value}, without scanning every
	 * entry.
	 * @param key the metadata key
	 * @param value the expected value's text
	 * @return the matching connections, in no particular order
	 */
	Flux<ConnectionLocation> findByMetadata(String key, String value);

	/**
	 * Return every live connection of the cluster.
	 * @return the connections, in no particular order
	 */
	Flux<ConnectionLocation> list();

}
