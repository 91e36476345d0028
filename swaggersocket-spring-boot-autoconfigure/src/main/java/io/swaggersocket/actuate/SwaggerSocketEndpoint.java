package io.swaggersocket.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.swaggersocket.connection.ConnectionInfo;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.ConnectionStatistics;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code swaggersocket} Actuator endpoint: lists live connections, shows one, and
 * closes one gracefully ({@code DELETE}: GOAWAY, in-flight calls finish, then close 1000
 * — the peer sees an orderly close).
 */
@Endpoint(id = "swaggersocket")
public class SwaggerSocketEndpoint {

	private final SwaggerSocketConnections connections;

	private final Duration drainTimeout;

	/**
	 * Create the endpoint.
	 * @param connections the registry of live connections
	 * @param drainTimeout how long a closed connection's in-flight calls may take
	 */
	public SwaggerSocketEndpoint(SwaggerSocketConnections connections, Duration drainTimeout) {
		this.connections = connections;
		this.drainTimeout = drainTimeout;
	}

	/**
	 * List the live connections, oldest first.
	 * @return the connections
	 */
	@ReadOperation
	public ConnectionsDescriptor connections() {
		return new ConnectionsDescriptor(this.connections.list()
			.stream()
			.map(ConnectionDescriptor::of)
			.sorted(Comparator.comparing(ConnectionDescriptor::connectedAt))
			.toList());
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
	 * @param connections one descriptor per connection
	 */
	public record ConnectionsDescriptor(List<ConnectionDescriptor> connections) {
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
