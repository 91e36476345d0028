package io.swaggersocket.connection;

import java.time.Duration;

import io.swaggersocket.protocol.CloseCodes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The stream layer of an open connection, as the connection sees it: the
 * {@link Multiplexer}, the {@link StreamFrameReader} that applies the peer's stream
 * frames to it, and what the peer's settings allow. Created when the handshake completes;
 * a connection that is still handshaking has no streams at all.
 *
 * @param multiplexer the streams
 * @param reader applies the peer's stream frames
 * @param peerAcceptsWebSockets whether the peer declared that it accepts WebSocket
 * streams
 */
record ConnectionStreams(Multiplexer multiplexer, StreamFrameReader reader, boolean peerAcceptsWebSockets) {

	private static final Log logger = LogFactory.getLog(ConnectionStreams.class);

	/** Where stream events are logged: under the connection, as they always were. */
	private static final Log streamLogger = LogFactory.getLog(SocketConnection.class);

	/**
	 * Open the stream layer of a connection whose handshake has just completed.
	 * @param connection the connection
	 * @param manager the connection's manager
	 * @param handshake the completed handshake
	 * @param writer the connection's frame writer
	 * @return the stream layer
	 */
	static ConnectionStreams open(SocketConnection connection, ConnectionManager manager, Handshake.Result handshake,
			FrameWriter writer) {
		ConnectionSettings peerSettings = handshake.peerSettings();
		StreamContext context = new StreamContext(connection, connection.role(), connection.counters(),
				manager.observer(), connection::logPrefix, streamLogger, () -> streamIdsExhausted(connection, manager));
		Multiplexer multiplexer = new Multiplexer(context, manager.options(), peerSettings, manager.streamHandler(),
				writer);
		multiplexer.connectionOpened(handshake.roundTripNanos());
		return new ConnectionStreams(multiplexer, new StreamFrameReader(multiplexer),
				peerSettings.enableConnectProtocol());
	}

	/**
	 * This side has opened its last stream id: shut the connection down as for a graceful
	 * close, so that the client dials a fresh one (docs/PROTOCOL.md 6.1).
	 */
	private static void streamIdsExhausted(SocketConnection connection, ConnectionManager manager) {
		logger.info(connection.logPrefix() + "Stream ids used up; closing the connection once its streams are done");
		Schedulers.parallel()
			.schedule(() -> connection
				.close(CloseCodes.GOING_AWAY, "Stream ids used up", manager.options().drainTimeout())
				.subscribe());
	}

	/**
	 * Start this side's stream ids near their end, for tests of id exhaustion.
	 * @param nextStreamId the next id this side opens, of its parity
	 */
	void nextStreamIdForTesting(long nextStreamId) {
		synchronized (this.multiplexer) {
			this.multiplexer.localEndpoint.nextStreamIdForTesting(nextStreamId);
		}
	}

	/**
	 * Send GOAWAY, then let the streams in flight finish for at most {@code drainTimeout}
	 * (new ones are refused meanwhile), then cancel those left.
	 * @param reason the GOAWAY's message
	 * @param drainTimeout how long in-flight streams may take, zero for not at all
	 * @param logPrefix the connection's log prefix
	 * @return completes once the streams are done or cancelled
	 */
	Mono<Void> drain(String reason, Duration drainTimeout, String logPrefix) {
		Multiplexer multiplexer = this.multiplexer;
		if (drainTimeout.isZero()) {
			return Mono.fromRunnable(() -> multiplexer.goAway.goAway(reason));
		}
		return multiplexer.goAway.drain(reason).timeout(drainTimeout, Mono.fromRunnable(() -> {
			logger.warn(logPrefix + multiplexer.activeStreams() + " streams still open after " + drainTimeout.toMillis()
					+ " ms; cancelling them");
			multiplexer.goAway.cancelAll();
		}));
	}

}
