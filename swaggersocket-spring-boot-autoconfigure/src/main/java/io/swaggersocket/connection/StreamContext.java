package io.swaggersocket.connection;

import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * What the stream layer needs of its connection, and the one thing it tells it: the
 * stream layer reaches its connection through this and its {@link FrameWriter} only.
 *
 * @param connection the connection handed to the stream handler
 * @param role this side's role
 * @param counters the connection's counters
 * @param observer meters and observations
 * @param logPrefix the connection's log prefix
 * @param logger where stream events are logged
 * @param streamIdsExhausted called once when this side has opened its last stream id
 */
record StreamContext(SwaggerSocketConnection connection, ConnectionRole role, ConnectionCounters counters,
		SwaggerSocketObserver observer, Supplier<String> logPrefix, Log logger, Runnable streamIdsExhausted) {
}
