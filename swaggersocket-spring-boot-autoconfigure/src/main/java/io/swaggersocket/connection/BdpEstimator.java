package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Estimates the connection's bandwidth-delay product as gRPC does: when DATA starts to
 * arrive, send a WebSocket ping and count the DATA bytes received until its pong. That
 * count is what the link delivered in one round trip; a window much smaller than it caps
 * the transfer at window / round trip. Guarded by the stream layer's monitor.
 */
final class BdpEstimator {

	private static final byte[] MAGIC = { 's', 's', '-', 'b', 'd', 'p' };

	private static final int PAYLOAD_LENGTH = MAGIC.length + Long.BYTES;

	private boolean pinging;

	private long sequence;

	private long sample;

	/**
	 * Count received DATA bytes.
	 * @param length the payload length
	 * @return a ping payload to send now, {@code null} while a ping is out
	 */
	byte @Nullable [] received(int length) {
		this.sample += length;
		if (this.pinging) {
			return null;
		}
		this.pinging = true;
		this.sample = length;
		this.sequence++;
		return ByteBuffer.allocate(PAYLOAD_LENGTH).put(MAGIC).putLong(this.sequence).array();
	}

	/**
	 * A pong arrived for one of this estimator's pings.
	 * @param payload the pong's payload
	 * @return the bytes received during the round trip, or -1 if it answers an older ping
	 */
	long pong(byte[] payload) {
		long sequence = ByteBuffer.wrap(payload, MAGIC.length, Long.BYTES).getLong();
		if (!this.pinging || sequence != this.sequence) {
			return -1;
		}
		this.pinging = false;
		return this.sample;
	}

	/**
	 * Whether a pong answers an estimator's ping rather than the heartbeat's.
	 * @param payload the pong's payload
	 * @return whether it carries the estimator's mark
	 */
	static boolean isEstimatorPayload(byte[] payload) {
		return payload.length == PAYLOAD_LENGTH && Arrays.equals(payload, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
	}

}
