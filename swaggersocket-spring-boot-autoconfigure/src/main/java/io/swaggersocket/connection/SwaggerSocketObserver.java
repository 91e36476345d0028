package io.swaggersocket.connection;

import java.time.Duration;

import io.swaggersocket.protocol.ErrorCode;

/**
 * Receives what happens on every connection, for metrics. All methods are called on I/O
 * threads and must be cheap and non-blocking. The Micrometer binding implements it.
 */
public interface SwaggerSocketObserver {

	/**
	 * The key of the Reactor context entry, an {@code Integer}, that numbers the attempt
	 * of a call that may be retried on another connection (1 for the first): a stream
	 * opened under it is recorded with that {@link ExchangeRecord#attempt() attempt}.
	 */
	String ATTEMPT_CONTEXT_KEY = "swaggersocket.attempt";

	/** Observes nothing. */
	SwaggerSocketObserver NONE = new SwaggerSocketObserver() {
	};

	/**
	 * A request/response exchange (one stream) ended.
	 * @param exchange what it was and how it ended
	 */
	default void exchangeCompleted(ExchangeRecord exchange) {
	}

	/**
	 * Bytes went over a connection, frame headers included.
	 * @param role the connection's role
	 * @param inbound whether they were received (rather than sent)
	 * @param bytes how many
	 */
	default void bytesTransferred(ConnectionRole role, boolean inbound, long bytes) {
	}

	/**
	 * A heartbeat ping was answered.
	 * @param role the connection's role
	 * @param roundTrip the time from ping to pong
	 */
	default void heartbeatRoundTrip(ConnectionRole role, Duration roundTrip) {
	}

	/**
	 * A stream was reset.
	 * @param errorCode the RESET error code
	 * @param sent whether this side sent the RESET (rather than received it)
	 */
	default void streamReset(ErrorCode errorCode, boolean sent) {
	}

	/**
	 * One exchange's facts. Its tags are bounded: no connection ids or paths.
	 *
	 * @param role the connection's role
	 * @param inbound whether the peer called this application (rather than the reverse)
	 * @param method the request method
	 * @param status the response status, or -1 if no response arrived
	 * @param outcome {@code SUCCESS}, {@code CLIENT_ERROR}, {@code SERVER_ERROR},
	 * {@code REDIRECTION}, {@code INFORMATIONAL}, {@code REFUSED}, {@code CANCELLED},
	 * {@code RESET} or {@code CONNECTION_CLOSED}
	 * @param duration from opening the stream to its end
	 * @param attempt which attempt of its call a stream this side opened was (1 for the
	 * first, more when a call was retried on another connection), 0 for the peer's
	 */
	record ExchangeRecord(ConnectionRole role, boolean inbound, String method, int status, String outcome,
			Duration duration, int attempt) {
	}

}
