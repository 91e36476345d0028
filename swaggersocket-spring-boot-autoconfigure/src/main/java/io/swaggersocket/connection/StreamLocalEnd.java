package io.swaggersocket.connection;

import org.jspecify.annotations.Nullable;

/**
 * How a stream's half ended on this side, decided with the stream layer's monitor held,
 * for {@link Multiplexer#afterLocalEnd} to act on once it is released.
 *
 * @param stream the stream
 * @param closed whether the stream closed with it
 * @param next a stream waiting to open that may open now
 */
record StreamLocalEnd(Stream stream, boolean closed, @Nullable Stream next) {
}
