package io.swaggersocket.cluster;

import java.net.URI;
import java.util.Objects;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The directory of a single hub: this application's own connections, from its registry.
 */
public final class LocalConnectionDirectory implements ConnectionDirectory {

	private static final URI NO_URL = URI.create("local:/");

	private final SwaggerSocketConnections connections;

	private final String hubId;

	/**
	 * Create a directory.
	 * @param connections the registry of this application's connections
	 * @param hubId this application's id
	 */
	public LocalConnectionDirectory(SwaggerSocketConnections connections, String hubId) {
		this.connections = connections;
		this.hubId = hubId;
	}

	@Override
	public String hubId() {
		return this.hubId;
	}

	@Override
	public Mono<ConnectionLocation> locate(String connectionId) {
		return Mono.justOrEmpty(this.connections.find(connectionId).map(this::location));
	}

	@Override
	public Flux<ConnectionLocation> findByMetadata(String key, String value) {
		return Flux.fromIterable(this.connections.findByMetadata(
				(metadata) -> metadata.containsKey(key) && Objects.equals(String.valueOf(metadata.get(key)), value)))
			.map(this::location);
	}

	@Override
	public Flux<ConnectionLocation> list() {
		return Flux.fromIterable(this.connections.list()).map(this::location);
	}

	/**
	 * Describe one of this hub's connections.
	 * @param connection the connection
	 * @param hubId this hub's id
	 * @param hubUrl the URL other hubs reach this hub at
	 * @return its location
	 */
	public static ConnectionLocation location(SwaggerSocketConnection connection, String hubId, URI hubUrl) {
		return new ConnectionLocation(connection.id(), connection.info().metadata(), hubId, hubUrl,
				connection.info().connectedAt(), true);
	}

	private ConnectionLocation location(SwaggerSocketConnection connection) {
		return location(connection, this.hubId, NO_URL);
	}

}
