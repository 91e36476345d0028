package io.swaggersocket.connection;

import java.time.Duration;

import io.swaggersocket.protocol.CloseCodes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The liveness of one connection: the handshake's deadline, when the peer was last heard
 * from, when the next ping is due, and the round trip the last pong measured. The
 * manager's {@link ConnectionTimers} tick it through {@link SocketConnection#tick}; a
 * handshake that does not complete in time or a peer silent for the heartbeat timeout
 * fails the connection with its documented close code. Pings go out through the
 * connection's {@link FrameWriter}, and the application's
 * {@link SwaggerSocketHeartbeatHandler} supplies their payload and sees every ping and
 * pong.
 *
 * <p>
 * The same deadline first times the handshake out, then marks the next ping: a connection
 * waits for one or the other, never both.
 */
final class ConnectionHeartbeat {

	private static final Log logger = LogFactory.getLog(ConnectionHeartbeat.class);

	private static final int MAX_PING_PAYLOAD = 125;

	private final SocketConnection connection;

	private final ConnectionManager manager;

	private final FrameWriter writer;

	private volatile long lastInbound = System.nanoTime();

	private volatile long lastPingSent;

	private volatile @Nullable Duration lastRoundTrip;

	/**
	 * When the handshake times out, then when the next ping is due
	 * ({@link System#nanoTime()}).
	 */
	private volatile long deadline;

	ConnectionHeartbeat(SocketConnection connection, ConnectionManager manager, FrameWriter writer) {
		this.connection = connection;
		this.manager = manager;
		this.writer = writer;
	}

	/**
	 * The handshake starts now: it must complete within the handshake timeout.
	 */
	void handshakeStarted() {
		this.deadline = System.nanoTime() + this.manager.options().handshakeTimeout().toNanos();
	}

	/**
	 * The handshake has completed: the first ping is due an interval from now.
	 */
	void established() {
		this.deadline = System.nanoTime() + this.manager.options().heartbeatInterval().toNanos();
	}

	/**
	 * Something arrived from the peer, which proves it alive.
	 */
	void received() {
		this.lastInbound = System.nanoTime();
	}

	/**
	 * Time the handshake out, or check the heartbeat and ping when a ping is due.
	 * @param now {@link System#nanoTime()} at the tick
	 */
	void tick(long now) {
		SocketConnection connection = this.connection;
		if (connection.isTerminated()) {
			return;
		}
		ConnectionInfo info = connection.openInfo();
		if (info == null) {
			if (now - this.deadline >= 0) {
				String detail = "Handshake not completed within " + this.manager.options().handshakeTimeout().toMillis()
						+ " ms";
				logger.warn(connection.logPrefix() + detail);
				connection.failed(new HandshakeException(CloseCodes.HANDSHAKE_TIMEOUT, detail),
						Termination.failed(FailureReason.PROTOCOL_ERROR, CloseCodes.HANDSHAKE_TIMEOUT, detail, true));
			}
			return;
		}
		long silence = now - this.lastInbound;
		Duration timeout = this.manager.options().heartbeatTimeout();
		if (silence > timeout.toNanos()) {
			String detail = "Nothing received from the peer for " + Duration.ofNanos(silence).toMillis()
					+ " ms (heartbeat timeout " + timeout.toMillis() + " ms)";
			logger.warn(connection.logPrefix() + detail);
			connection.failed(null,
					Termination.failed(FailureReason.HEARTBEAT_TIMEOUT, CloseCodes.HEARTBEAT_TIMEOUT, detail, true));
			return;
		}
		if (now - this.deadline >= 0) {
			// first: a ping handler that throws is tried again an interval later, not
			// at every tick
			this.deadline = now + this.manager.options().heartbeatInterval().toNanos();
			ping(info);
		}
	}

	private void ping(ConnectionInfo info) {
		byte[] payload = this.manager.heartbeatHandler().pingPayload(info);
		if (payload.length > MAX_PING_PAYLOAD) {
			logger.warn(this.connection.logPrefix() + "Ping payload of " + payload.length
					+ " bytes exceeds 125; sending an empty ping");
			payload = new byte[0];
		}
		this.lastPingSent = System.nanoTime();
		this.writer.ping(payload);
	}

	/**
	 * Answer the peer's ping.
	 * @param payload its payload
	 * @param info the connection, {@code null} while handshaking
	 */
	void onPing(byte[] payload, @Nullable ConnectionInfo info) {
		this.writer.pong(payload);
		// the peer's bandwidth-delay estimate is no heartbeat
		if (info != null && !BdpEstimator.isEstimatorPayload(payload)) {
			this.manager.heartbeatHandler().onPing(info, payload);
		}
	}

	/**
	 * Time the pong that answers our last ping.
	 * @param payload its payload
	 * @param info the connection, {@code null} while handshaking
	 */
	void onPong(byte[] payload, @Nullable ConnectionInfo info) {
		long sent = this.lastPingSent;
		if (sent == 0 || info == null) {
			return;
		}
		Duration roundTrip = Duration.ofNanos(System.nanoTime() - sent);
		this.lastRoundTrip = roundTrip;
		this.manager.observer().heartbeatRoundTrip(this.connection.role(), roundTrip);
		this.manager.heartbeatHandler().onPong(info, payload, roundTrip);
	}

	/**
	 * Return the round trip the last pong measured.
	 * @return the round trip, {@code null} before the first pong
	 */
	@Nullable Duration lastRoundTrip() {
		return this.lastRoundTrip;
	}

}
