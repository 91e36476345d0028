package io.swaggersocket.connection;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The registry of live connections of this application, in both roles. A connection is
 * listed from just before its {@link SwaggerSocketConnectedEvent} and leaves exactly
 * once, just before its {@link SwaggerSocketClosedEvent} or
 * {@link SwaggerSocketFailedEvent}.
 */
public final class SwaggerSocketConnections {

	private final Map<String, SwaggerSocketConnection> connections = new ConcurrentHashMap<>();

	/**
	 * Return the live connections.
	 * @return a snapshot, in no particular order
	 */
	public List<SwaggerSocketConnection> list() {
		return List.copyOf(this.connections.values());
	}

	/**
	 * Find a live connection by id.
	 * @param id the connection id
	 * @return the connection, or empty if no live connection has that id
	 */
	public Optional<SwaggerSocketConnection> find(String id) {
		return Optional.ofNullable(this.connections.get(id));
	}

	/**
	 * Find the live connections whose metadata matches a predicate.
	 * @param predicate the test applied to each connection's metadata
	 * @return the matching connections
	 */
	public List<SwaggerSocketConnection> findByMetadata(Predicate<Map<String, Object>> predicate) {
		return this.connections.values().stream().filter((c) -> predicate.test(c.info().metadata())).toList();
	}

	/**
	 * Find the live connections whose metadata has a top-level entry with the given
	 * value.
	 * @param key the metadata key
	 * @param value the expected value, compared with {@code equals}
	 * @return the matching connections
	 */
	public List<SwaggerSocketConnection> findByMetadata(String key, Object value) {
		return findByMetadata((metadata) -> Objects.equals(metadata.get(key), value));
	}

	/**
	 * Return how many connections are live.
	 * @return the count
	 */
	public int size() {
		return this.connections.size();
	}

	void add(SwaggerSocketConnection connection) {
		this.connections.put(connection.id(), connection);
	}

	boolean remove(SwaggerSocketConnection connection) {
		return this.connections.remove(connection.id(), connection);
	}

}
