package io.swaggersocket.actuate;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.cluster.RedisConnectionDirectory;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.ConnectionInfo;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.ConnectionStatistics;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code swaggersocket} Actuator endpoint: lists live connections, shows one, and
 * closes one gracefully ({@code DELETE}: GOAWAY, in-flight calls finish, then close 1000
 * — the peer sees an orderly close). In a cluster, the list also shows which hub holds
 * which connection, from the cluster's directory.
 */
@Endpoint(id = "swaggersocket")
public class SwaggerSocketEndpoint {

	private final SwaggerSocketConnections connections;

	private final Duration drainTimeout;

	private final @Nullable RedisConnectionDirectory cluster;

	/**
	 * Create the endpoint of a single hub.
	 * @param connections the registry of live connections
	 * @param drainTimeout how long a closed connection's in-flight calls may take
	 */
	public SwaggerSocketEndpoint(SwaggerSocketConnections connections, Duration drainTimeout) {
		this(connections, drainTimeout, null);
	}

	/**
	 * Create the endpoint.
	 * @param connections the registry of live connections
	 * @param drainTimeout how long a closed connection's in-flight calls may take
	 * @param cluster the cluster's directory, if this hub is part of a cluster
	 */
	public SwaggerSocketEndpoint(SwaggerSocketConnections connections, Duration drainTimeout,
			@Nullable RedisConnectionDirectory cluster) {
		this.connections = connections;
		this.drainTimeout = drainTimeout;
		this.cluster = cluster;
	}

	/**
	 * List the live connections, oldest first, and in a cluster which hub holds which
	 * connection.
	 * @return the connections
	 */
	@ReadOperation
	public Mono<ConnectionsDescriptor> connections() {
		List<ConnectionDescriptor> local = this.connections.list()
			.stream()
			.map(ConnectionDescriptor::of)
			.sorted(Comparator.comparing(ConnectionDescriptor::connectedAt))
			.toList();
		RedisConnectionDirectory cluster = this.cluster;
		if (cluster == null) {
			return Mono.just(new ConnectionsDescriptor(local, null));
		}
		return Mono.zip(cluster.hubs().collectList(), cluster.list().collectList())
			.map((found) -> ClusterDescriptor.of(cluster, found.getT1(), found.getT2(), null))
			.onErrorResume(SwaggerSocketClusterUnavailableException.class,
					(ex) -> Mono.just(ClusterDescriptor.of(cluster, List.of(), List.of(), ex.getMessage())))
			.map((view) -> new ConnectionsDescriptor(local, view));
	}

	/**
	 * Show one connection.
	 * @param id the connection id
	 * @return the connection, or {@code null} (404) if no live connection has that id
	 */
	@ReadOperation
	public @Nullable ConnectionDescriptor connection(@Selector String id) {
		return this.connections.find(id).map(ConnectionDescriptor::of).orElse(null);
	}

	/**
	 * Close one connection gracefully; returns once the close has been sent.
	 * @param id the connection id
	 * @return the connection as it was, or {@code null} (404) if no live connection has
	 * that id
	 */
	@DeleteOperation
	public @Nullable ConnectionDescriptor close(@Selector String id) {
		SwaggerSocketConnection connection = this.connections.find(id).orElse(null);
		if (connection == null) {
			return null;
		}
		ConnectionDescriptor descriptor = ConnectionDescriptor.of(connection);
		connection.close(this.drainTimeout).subscribe();
		return descriptor;
	}

	/**
	 * The live connections.
	 *
	 * @param connections one descriptor per connection of this application
	 * @param cluster which hub holds which connection, in a cluster only
	 */
	public record ConnectionsDescriptor(List<ConnectionDescriptor> connections,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable ClusterDescriptor cluster) {
	}

	/**
	 * The cluster as the directory shows it.
	 *
	 * @param hubId this hub's id
	 * @param hubUrl the URL other hubs reach this hub at
	 * @param hubs the live hubs (this one included) and the connections each holds, by id
	 * @param unavailable why the directory could not be read, if it could not
	 */
	public record ClusterDescriptor(String hubId, URI hubUrl, List<HubDescriptor> hubs,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String unavailable) {

		static ClusterDescriptor of(RedisConnectionDirectory directory, List<RedisConnectionDirectory.Hub> live,
				List<ConnectionLocation> locations, @Nullable String unavailable) {
			Map<String, HubDescriptor> hubs = new LinkedHashMap<>();
			hubs.put(directory.hubId(), new HubDescriptor(directory.hubId(), directory.hubUrl(), new ArrayList<>()));
			for (RedisConnectionDirectory.Hub hub : live) {
				hubs.putIfAbsent(hub.hubId(), new HubDescriptor(hub.hubId(), hub.url(), new ArrayList<>()));
			}
			for (ConnectionLocation location : locations) {
				hubs.computeIfAbsent(location.hubId(),
						(id) -> new HubDescriptor(id, location.hubUrl(), new ArrayList<>()))
					.connections()
					.add(new HubConnectionDescriptor(location.connectionId(), location.metadata(),
							location.connectedAt()));
			}
			return new ClusterDescriptor(directory.hubId(), directory.hubUrl(),
					hubs.values()
						.stream()
						.sorted(Comparator.comparing(HubDescriptor::hubId))
						.map((hub) -> new HubDescriptor(hub.hubId(), hub.url(),
								hub.connections()
									.stream()
									.sorted(Comparator.comparing(HubConnectionDescriptor::connectedAt))
									.toList()))
						.toList(),
					unavailable);
		}

	}

	/**
	 * One hub of the cluster and the connections it holds.
	 *
	 * @param hubId the hub's id
	 * @param url the URL hubs reach it at
	 * @param connections its connections, oldest first
	 */
	public record HubDescriptor(String hubId, URI url, List<HubConnectionDescriptor> connections) {
	}

	/**
	 * A connection as the cluster's directory knows it.
	 *
	 * @param id the connection id
	 * @param metadata the client's handshake metadata
	 * @param connectedAt when the handshake completed
	 */
	public record HubConnectionDescriptor(String id, Map<String, Object> metadata, Instant connectedAt) {
	}

	/**
	 * One connection as the endpoint shows it.
	 *
	 * @param id the connection id
	 * @param role this application's role
	 * @param remoteAddress the peer's address
	 * @param metadata the client's handshake metadata
	 * @param connectedAt when the handshake completed
	 * @param heartbeatRoundTripMillis the last heartbeat round trip, if any
	 * @param activeStreams streams open now, both directions
	 * @param requestsInbound requests the peer made
	 * @param requestsOutbound requests this application made
	 * @param bytesInbound bytes received
	 * @param bytesOutbound bytes sent
	 * @param streamsReset streams that ended with a RESET (failed or cancelled calls)
	 */
	public record ConnectionDescriptor(String id, ConnectionRole role, @Nullable String remoteAddress,
			Map<String, Object> metadata, Instant connectedAt, @Nullable Double heartbeatRoundTripMillis,
			int activeStreams, long requestsInbound, long requestsOutbound, long bytesInbound, long bytesOutbound,
			long streamsReset) {

		static ConnectionDescriptor of(SwaggerSocketConnection connection) {
			ConnectionInfo info = connection.info();
			ConnectionStatistics statistics = connection.statistics();
			Duration roundTrip = connection.lastRoundTrip();
			return new ConnectionDescriptor(info.id(), info.role(),
					(info.remoteAddress() != null)
							? info.remoteAddress().getHostString() + ":" + info.remoteAddress().getPort() : null,
					info.metadata(), info.connectedAt(), (roundTrip != null) ? roundTrip.toNanos() / 1_000_000.0 : null,
					connection.activeStreams(), statistics.requestsInbound(), statistics.requestsOutbound(),
					statistics.bytesInbound(), statistics.bytesOutbound(), statistics.streamsReset());
		}

	}

}
