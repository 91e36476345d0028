package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Estimates the connection's bandwidth-delay product as gRPC does: when DATA starts to
 * arrive, send a WebSocket ping and count the DATA bytes consumed until its pong. That
 * count is what the link and its readers moved in one round trip; a window much smaller
 * than it caps the transfer at window / round trip. Bytes are counted as their readers
 * take them, not as they arrive: a window grown for a reader that does not keep up would
 * only buffer more. Only a round trip that also shows the highest bandwidth yet counts,
 * as in gRPC: a round trip that grew with queueing in front of the pong must not make the
 * windows (and the queue) grow further. Guarded by the stream layer's monitor.
 */
final class BdpEstimator {

	private static final byte[] MAGIC = { 's', 's', '-', 'b', 'd', 'p' };

	private static final int PAYLOAD_LENGTH = MAGIC.length + Long.BYTES;

	private final LongSupplier nanoClock;

	private boolean pinging;

	private long sequence;

	private long sample;

	private long sentNanos;

	/** The highest bandwidth measured, in bytes per second. */
	private double maxBandwidth;

	/**
	 * Create an estimator.
	 * @param nanoClock the time in nanoseconds, {@code System::nanoTime} but in tests
	 */
	BdpEstimator(LongSupplier nanoClock) {
		this.nanoClock = nanoClock;
	}

	/**
	 * DATA arrived: start a round trip unless one is under way.
	 * @return a ping payload to send now, {@code null} while a ping is out
	 */
	byte @Nullable [] received() {
		if (this.pinging) {
			return null;
		}
		this.pinging = true;
		this.sample = 0;
		this.sequence++;
		this.sentNanos = this.nanoClock.getAsLong();
		return ByteBuffer.allocate(PAYLOAD_LENGTH).put(MAGIC).putLong(this.sequence).array();
	}

	/**
	 * Count DATA bytes a reader took.
	 * @param length the byte count
	 */
	void consumed(int length) {
		if (this.pinging) {
			this.sample += length;
		}
	}

	/**
	 * A pong arrived for one of this estimator's pings.
	 * @param payload the pong's payload
	 * @return the bytes received during the round trip, or -1 if it answers an older ping
	 * or if the bandwidth it shows is below the best measured: then the round trip grew
	 * with queueing rather than the link carrying more, and a larger window would only
	 * queue more
	 */
	long pong(byte[] payload) {
		long sequence = ByteBuffer.wrap(payload, MAGIC.length, Long.BYTES).getLong();
		if (!this.pinging || sequence != this.sequence) {
			return -1;
		}
		this.pinging = false;
		long roundTrip = Math.max(1, this.nanoClock.getAsLong() - this.sentNanos);
		double bandwidth = this.sample * 1e9 / roundTrip;
		if (bandwidth < this.maxBandwidth) {
			return -1;
		}
		this.maxBandwidth = bandwidth;
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
