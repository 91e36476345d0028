package io.swaggersocket.connection;

import java.time.Duration;
import java.util.List;

import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * A live connection to a peer application. Obtained from {@link SwaggerSocketConnections}
 * or from a lifecycle event.
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
	 * Whether either side has announced GOAWAY: the connection is open but takes no new
	 * streams (calls on it are refused, safe to retry elsewhere), and closes once the
	 * streams in flight have finished.
	 * @return {@code true} while the open connection is going away
	 */
	default boolean isGoingAway() {
		return false;
	}

	/**
	 * Complete once either side has announced GOAWAY (the connection drains and takes no
	 * new streams), or the connection has ended. Long-lived streams, WebSockets for one,
	 * end themselves then rather than hold the drain up.
	 * @return completes when the connection is going away
	 */
	default Mono<Void> goingAway() {
		return Mono.never();
	}

	/**
	 * Whether the peer declared, in its handshake settings, that it accepts WebSockets
	 * opened over streams (docs/PROTOCOL.md section 13).
	 * @return {@code true} if it does
	 */
	default boolean peerAcceptsWebSockets() {
		return false;
	}

	/**
	 * Return the round-trip time of the last answered heartbeat ping.
	 * @return the round-trip time, or {@code null} before the first pong
	 */
	@Nullable Duration lastRoundTrip();

	/**
	 * Open a stream to the peer: send request headers and body, and receive the response.
	 * Most applications use a {@code WebClient} bound to the connection instead.
	 * @param headers the request header fields, {@code :method} and {@code :path} first
	 * @param body the request body (empty for none)
	 * @return the response head and body, its {@code :status} well-formed (a malformed
	 * response is reset with PROTOCOL_ERROR and fails the call instead); errors with
	 * {@link SwaggerSocketConnectionClosedException} if the connection ends first,
	 * {@link SwaggerSocketStreamRefusedException} if the peer refused the stream, or the
	 * connection ended while the stream waited for a free slot and was never sent (safe
	 * to retry), {@link SwaggerSocketStreamResetException} if it was reset. Cancelling it
	 * resets the stream with CANCEL.
	 */
	Mono<StreamMessage> exchange(List<Header> headers, Publisher<? extends DataBuffer> body);

	/**
	 * Return how many streams are open on this connection, in both directions.
	 * @return the number of active streams
	 */
	int activeStreams();

	/**
	 * Return the connection's counters so far.
	 * @return a snapshot of the counters
	 */
	ConnectionStatistics statistics();

	/**
	 * Close the connection in an orderly way: GOAWAY, then WebSocket close 1000. Both
	 * sides publish a {@link SwaggerSocketClosedEvent}. A client-role connection closed
	 * this way is dialed again by the client, as after any loss.
	 * @return completes when the close has been sent
	 */
	Mono<Void> close();

	/**
	 * Close the connection gracefully: GOAWAY (the peer opens no new streams; new streams
	 * from it are refused, safe to retry), let the streams in flight finish for at most
	 * {@code drainTimeout}, then WebSocket close 1000.
	 * @param drainTimeout how long in-flight streams may take
	 * @return completes when the close has been sent
	 */
	Mono<Void> close(Duration drainTimeout);

}
