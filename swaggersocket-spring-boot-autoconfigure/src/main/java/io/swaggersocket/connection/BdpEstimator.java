package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Measures the connection's bandwidth-delay product as gRPC does: when DATA starts to
 * arrive, send a WebSocket ping and count the DATA bytes consumed until its pong. That
 * count is what the link and its readers moved in one round trip; a window much smaller
 * than it caps the transfer at window / round trip. Bytes are counted as their readers
 * take them, not as they arrive: a window grown for a reader that does not keep up would
 * only buffer more. What to make of a sample is {@link WindowGrowth}'s business. Guarded
 * by the stream layer's monitor.
 */
final class BdpEstimator {

	private static final byte[] MAGIC = { 's', 's', '-', 'b', 'd', 'p' };

	private static final int PAYLOAD_LENGTH = MAGIC.length + Long.BYTES;

	private final LongSupplier nanoClock;

	private boolean pinging;

	private long sequence;

	private long sample;

	private long sentNanos;

	/** When readers first and last took bytes during the round trip under way. */
	private long firstTakenNanos;

	private long lastTakenNanos;

	/** The bytes readers took during the round trip, after the first take. */
	private long takenAfterFirst;

	/**
	 * How long the shortest round trip stands for the link's: a route that changed may
	 * have made it longer for good, as BBR assumes.
	 */
	static final long MIN_ROUND_TRIP_LIFETIME = 10_000_000_000L;

	/** The shortest round trip measured: the link's own, with the least queueing. */
	private long minRoundTrip = Long.MAX_VALUE;

	/** When {@link #minRoundTrip} was measured. */
	private long minRoundTripNanos;

	/** When the windows last grew, {@link Long#MIN_VALUE} before they ever did. */
	private long grewNanos = Long.MIN_VALUE;

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
		return startRoundTrip();
	}

	/**
	 * The connection opened over what may be a long link: start a round trip before any
	 * DATA arrives, so that the round trip the first DATA starts is not the first one
	 * measured (see {@link WindowGrowth}).
	 * @return a ping payload to send now, {@code null} while a ping is out
	 */
	byte @Nullable [] probe() {
		return startRoundTrip();
	}

	private byte @Nullable [] startRoundTrip() {
		if (this.pinging) {
			return null;
		}
		this.pinging = true;
		this.sample = 0;
		this.takenAfterFirst = 0;
		this.sequence++;
		this.sentNanos = this.nanoClock.getAsLong();
		return ByteBuffer.allocate(PAYLOAD_LENGTH).put(MAGIC).putLong(this.sequence).array();
	}

	/**
	 * Count DATA bytes a reader took.
	 * @param length the byte count
	 */
	void consumed(int length) {
		if (this.pinging && length > 0) {
			long now = this.nanoClock.getAsLong();
			if (this.sample == 0) {
				this.firstTakenNanos = now;
			}
			else {
				this.takenAfterFirst += length;
			}
			this.lastTakenNanos = now;
			this.sample += length;
		}
	}

	/**
	 * What the round trip under way has shown so far, as if its pong came now after the
	 * shortest round trip: for a long link's burst, which tells the link's rate before
	 * the pong does (see {@link WindowGrowth#burstSoFar}). Nothing before the shortest
	 * round trip is known, before readers took bytes twice, or once the windows grew
	 * during the round trip.
	 * @return the sample so far, or {@code null}
	 */
	@Nullable Sample soFar() {
		if (!this.pinging || this.takenAfterFirst == 0 || this.minRoundTrip == Long.MAX_VALUE
				|| this.grewNanos >= this.sentNanos) {
			return null;
		}
		return sample(this.minRoundTrip, false);
	}

	/**
	 * The windows grew now: round trips that start within half a round trip from now
	 * measure the windows before.
	 */
	void grew() {
		this.grewNanos = this.nanoClock.getAsLong();
	}

	/**
	 * A pong arrived for one of this estimator's pings.
	 * @param payload the pong's payload
	 * @return what the round trip showed, or {@code null} if the pong answers an older
	 * ping
	 */
	@Nullable Sample pong(byte[] payload) {
		long sequence = ByteBuffer.wrap(payload, MAGIC.length, Long.BYTES).getLong();
		if (!this.pinging || sequence != this.sequence) {
			return null;
		}
		this.pinging = false;
		long now = this.nanoClock.getAsLong();
		long roundTrip = Math.max(1, now - this.sentNanos);
		if (roundTrip <= this.minRoundTrip || now - this.minRoundTripNanos > MIN_ROUND_TRIP_LIFETIME) {
			this.minRoundTrip = roundTrip;
			this.minRoundTripNanos = now;
		}
		// credit granted at time g reaches the sender half a round trip later, and what
		// it sends then arrives a round trip after g: bytes counted from a ping sent soon
		// after g were mostly sent under the windows before g
		boolean stale = this.grewNanos != Long.MIN_VALUE && this.grewNanos > this.sentNanos - roundTrip / 2;
		return sample(roundTrip, stale);
	}

	/** What the round trip under way showed, had it taken {@code roundTrip}. */
	private Sample sample(long roundTrip, boolean stale) {
		long burst = (this.sample > 0) ? this.lastTakenNanos - this.firstTakenNanos : 0;
		double burstRate = (burst > 0) ? this.takenAfterFirst * 1e9 / burst : 0;
		return new Sample(this.sample, this.sample * 1e9 / roundTrip, roundTrip, this.minRoundTrip, stale, burst,
				burstRate);
	}

	/**
	 * Whether a pong answers an estimator's ping rather than the heartbeat's.
	 * @param payload the pong's payload
	 * @return whether it carries the estimator's mark
	 */
	static boolean isEstimatorPayload(byte[] payload) {
		return payload.length == PAYLOAD_LENGTH && Arrays.equals(payload, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
	}

	/**
	 * What one round trip showed.
	 *
	 * @param bytes the DATA bytes readers took during it
	 * @param bandwidth those bytes per second of the round trip
	 * @param roundTripNanos how long the round trip took
	 * @param minRoundTripNanos the shortest round trip measured so far, this one included
	 * @param stale whether the windows grew too shortly before the ping for the sender to
	 * have used the growth during the round trip: the sample then measures the windows
	 * before
	 * @param burstNanos how long readers took bytes for: from the first bytes they took
	 * during the round trip to the last, 0 if they took them at once
	 * @param burstRate the bytes readers took after the first ones, per second of
	 * {@code burstNanos}: how fast the link delivers while it has bytes to deliver, 0 if
	 * unknown
	 */
	record Sample(long bytes, double bandwidth, long roundTripNanos, long minRoundTripNanos, boolean stale,
			long burstNanos, double burstRate) {

	}

}
