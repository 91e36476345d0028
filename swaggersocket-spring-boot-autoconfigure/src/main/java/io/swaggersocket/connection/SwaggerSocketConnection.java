package io.swaggersocket.connection;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A live connection to a peer application. Obtained from {@link SwaggerSocketConnections} or
 * from a lifecycle event.
 */
public interface SwaggerSocketConnection {

	/**
	 * Return the connection's id, as assigned by the server.
	 * @return the id
	 */
	default String id() {
		return info().id();
	}

	/**
	 * Return the immutable facts about this connection.
	 * @return the connection info
	 */
	ConnectionInfo info();

	/**
	 * Whether the connection is still open.
	 * @return {@code true} until the connection is closed or has failed
	 */
	boolean isOpen();

	/**
	 * Return the round-trip time of the last answered heartbeat ping.
	 * @return the round-trip time, or {@code null} before the first pong
	 */
	@Nullable Duration lastRoundTrip();

	/**
	 * Close the connection in an orderly way: GOAWAY, then WebSocket close 1000. Both sides
	 * publish a {@link SwaggerSocketClosedEvent}. A client-role connection closed this way is
	 * dialed again by the client, as after any loss.
	 * @return completes when the close has been sent
	 */
	Mono<Void> close();

}
