package io.swaggersocket.connection;

/**
 * How far the windows this side grants grow, from the round trips a {@link BdpEstimator}
 * samples (docs/PROTOCOL.md, section 7). A sample counts only if the bytes it took filled
 * most of the windows that governed it (otherwise the link had room and the sender simply
 * had less to send), if its bandwidth is the best yet, and if it took at most
 * {@value #QUEUEING} times the shortest round trip: a round trip that grew with queueing
 * in front of the pong must not make the windows (and the queue) grow further. Guarded by
 * the stream layer's monitor.
 *
 * <p>
 * Such a sample grows the stream window to twice its bytes, as gRPC does. That alone
 * ramps slowly on a long link: credit granted at one pong only shows in the round trip
 * after the next, so the windows would double every second round trip, and a 50 ms link
 * that needs 16 MiB would spend half a second getting there. So, on a long link (its
 * shortest round trip {@value #LONG_LINK_NANOS} ns or more), once the windows have
 * doubled and the bandwidth followed by a quarter or more (the link was window-bound, not
 * queueing), the windows are multiplied by {@value #RAMP} on every sample, until a
 * doubling of the windows no longer shows a quarter more bandwidth (the ramp ends for
 * good then, as TCP's slow start does). A short link keeps doubling: that reaches any
 * window in milliseconds there, and on a loaded machine a quarter more bandwidth is
 * within the noise of its round trips, which are the scheduler's delay more than the
 * link's; a ramp started by noise made loopback windows of 2 MiB and more, a queue that
 * long in front of every small answer. The connection window stays at least twice the
 * stream window, so that a stream whose reader stalls never holds all of it, and neither
 * grows beyond the maximum.
 *
 * <p>
 * On a long link (its shortest round trip, and the round trip before,
 * {@value #LONG_LINK_NANOS} ns or more), a round trip whose bytes were all the credit the
 * sender had, and arrived in a burst within a quarter of it, shows more: the link idled
 * the rest of the round trip for want of credit, and at the burst's rate it carries that
 * rate times the shortest round trip. Such a round trip grows the stream window to twice
 * that at once, without waiting for the ramp: on a 50 ms link the declared window arrives
 * in about a millisecond, and the ramp would spend five round trips getting where this
 * gets in one. Such a burst shows as soon as it has taken all the credit, and grows the
 * windows then ({@link #burstSoFar}), a round trip before its pong would. The round trip
 * before the first with DATA is the probe that
 * {@link InboundFlowController#connectionOpened} sends when the handshake took a long
 * link's round trip.
 */
final class WindowGrowth {

	/** How much the windows grow per round trip while the bandwidth follows them. */
	static final int RAMP = 4;

	/** The bandwidth gain a doubling of the windows must show to be worth more growth. */
	private static final double RAMP_GAIN = 1.25;

	/**
	 * How much longer than the shortest a round trip may be and still grow the windows:
	 * one that took longer waited behind a queue (on loopback, for instance, the pong
	 * waits behind whatever the windows let the sender queue), and larger windows would
	 * only lengthen the queue.
	 */
	private static final double QUEUEING = 1.5;

	/**
	 * While ramping, how far below the best a sample's bandwidth may be and still count:
	 * a sample measuring the same windows as the one before it varies by a few percent.
	 */
	private static final double RAMP_TOLERANCE = 0.75;

	/**
	 * How many times longer than the burst its bytes arrived in a round trip must be for
	 * the burst to tell the link's rate: the link then sat idle most of the round trip,
	 * waiting for credit.
	 */
	private static final int IDLE = 4;

	/**
	 * The shortest round trip of a link whose bursts may grow the windows at once: a long
	 * link's. On loopback or a LAN the shortest round trip stays below it even on a
	 * loaded machine, where it is the scheduler's delay, not the link's, and reads come
	 * coalesced, so a burst's rate says nothing there; such links keep the ramp.
	 */
	static final long LONG_LINK_NANOS = 20_000_000;

	/**
	 * The most consumed bytes held back for one WINDOW_UPDATE: 32 frames of 64 KiB, half
	 * of a 4 MiB window.
	 */
	static final long MAX_BATCH = 2 * 1024 * 1024;

	private final int maxWindow;

	private int streamWindow;

	private int connectionWindow;

	/** The windows before they last grew: what a stale sample measured. */
	private int streamWindowBefore;

	private int connectionWindowBefore;

	private double bestBandwidth;

	/** How long the round trip before the one being judged took, 0 before the first. */
	private long lastRoundTripNanos;

	/** How many round trips in a row, up to the last, took a long link's time. */
	private int longRoundTrips;

	private Ramp ramp = Ramp.PROBING;

	/** The stream window and bandwidth the ramp was last judged by. */
	private int baseWindow;

	private double baseBandwidth;

	/**
	 * Create the growth policy of one connection.
	 * @param streamWindow the declared stream window
	 * @param connectionWindow the declared connection window
	 * @param maxWindow the most either may grow to
	 */
	WindowGrowth(int streamWindow, int connectionWindow, int maxWindow) {
		this.maxWindow = maxWindow;
		this.streamWindow = streamWindow;
		this.connectionWindow = connectionWindow;
		this.streamWindowBefore = streamWindow;
		this.connectionWindowBefore = connectionWindow;
	}

	/**
	 * Take a round trip's sample into account.
	 * @param sample the sample
	 * @param allowance whether readers took bytes of a declared window's allowance in the
	 * round trip (see {@link InboundFlowController}): they came from credit granted up
	 * front and a queue it filled, so only a long link's burst tells anything then
	 * @return whether either window grew
	 */
	boolean sample(BdpEstimator.Sample sample, boolean allowance) {
		int streamGoverning = sample.stale() ? this.streamWindowBefore : this.streamWindow;
		int connectionGoverning = sample.stale() ? this.connectionWindowBefore : this.connectionWindow;
		long bytes = sample.bytes();
		boolean queued = sample.roundTripNanos() > QUEUEING * sample.minRoundTripNanos();
		long linkBytes = queued ? 0 : linkBytes(sample, streamGoverning, connectionGoverning);
		this.lastRoundTripNanos = sample.roundTripNanos();
		this.longRoundTrips = (sample.roundTripNanos() >= LONG_LINK_NANOS) ? this.longRoundTrips + 1 : 0;
		if (linkBytes > 0) {
			// the bandwidth a burst shows over a round trip is no better than the credit
			// it had: it is judged by its rate instead, and it starts the ramp's measure
			this.bestBandwidth = Math.max(this.bestBandwidth, sample.bandwidth());
			judgeRamp(streamGoverning, sample.bandwidth(), false);
			return grow(Math.max(2 * bytes, 2 * linkBytes), bytes);
		}
		if (allowance) {
			return false;
		}
		double floor = (this.ramp == Ramp.RAMPING) ? RAMP_TOLERANCE * this.bestBandwidth : this.bestBandwidth;
		if (sample.bandwidth() < floor) {
			return false;
		}
		this.bestBandwidth = Math.max(this.bestBandwidth, sample.bandwidth());
		if (3 * bytes < 2L * streamGoverning && 3 * bytes < 2L * connectionGoverning) {
			return false;
		}
		// a short link does not ramp: doubling gets it anywhere within milliseconds, and
		// a quarter more bandwidth is within the noise of its round trips
		boolean longLink = sample.minRoundTripNanos() >= LONG_LINK_NANOS;
		judgeRamp(streamGoverning, sample.bandwidth(), queued || !longLink);
		if (queued) {
			return false;
		}
		long streamTarget = 2 * bytes;
		if (this.ramp == Ramp.RAMPING) {
			streamTarget = Math.max(streamTarget, (long) RAMP * this.streamWindow);
		}
		return grow(streamTarget, bytes);
	}

	/**
	 * Take the round trip under way into account before its pong, if it already shows a
	 * long link's burst: readers took all the credit the sender had (the governing window
	 * less what this side holds back for a batch) within a quarter of the shortest round
	 * trip. The sender then has nothing left to send until credit reaches it, so the rest
	 * of the round trip can only add idle time, and the pong would grow the windows by
	 * the same burst: growing them now gets the credit to the sender a round trip
	 * earlier. The pong still counts as {@link #sample} says, as a sample that measured
	 * the windows before; it grows them no further by this burst.
	 *
	 * <p>
	 * The pong's own round trip is the second long one that the burst rule asks for; this
	 * judgement comes without it, so it asks for the last two round trips to have been a
	 * long link's (the probe sends a second ping, see {@link #confirmingLongLink()}). A
	 * loopback connection whose first round trips a cold JVM held up would otherwise grow
	 * its windows to the maximum on its first burst.
	 * @param soFar the round trip so far, as if its pong came after the shortest round
	 * trip
	 * @return whether either window grew
	 */
	boolean burstSoFar(BdpEstimator.Sample soFar) {
		if (!longLinkConfirmed()) {
			return false;
		}
		long bytes = soFar.bytes();
		if (bytes < unbatched(this.streamWindow) && bytes < unbatched(this.connectionWindow)) {
			return false;
		}
		long linkBytes = linkBytes(soFar, this.streamWindow, this.connectionWindow);
		return linkBytes > 0 && grow(Math.max(2 * bytes, 2 * linkBytes), bytes);
	}

	/**
	 * What the link carries in its shortest round trip, if a round trip shows it: its
	 * bytes arrived in a burst within a fraction of the round trip, and they were all the
	 * credit the sender had (the governing window less what this side holds back for a
	 * batched WINDOW_UPDATE), so the link sat idle the rest of the round trip for want of
	 * credit, and could have carried the burst's rate all along.
	 * @return the bytes, 0 if the round trip does not show them
	 */
	private long linkBytes(BdpEstimator.Sample sample, int streamGoverning, int connectionGoverning) {
		// the round trip before must have been long too: a connection's first pong can
		// wait for a cold JVM, and loopback would pass for a long link
		if (sample.minRoundTripNanos() < LONG_LINK_NANOS || this.lastRoundTripNanos < LONG_LINK_NANOS
				|| sample.burstRate() <= 0 || (long) IDLE * sample.burstNanos() > sample.roundTripNanos()) {
			return 0;
		}
		long bytes = sample.bytes();
		if (3 * bytes < 2 * unbatched(streamGoverning) && 3 * bytes < 2 * unbatched(connectionGoverning)) {
			return 0;
		}
		return (long) Math.min(this.maxWindow, sample.burstRate() * sample.minRoundTripNanos() / 1e9);
	}

	private boolean grow(long streamTarget, long bytes) {
		int connectionTarget = (int) Math.min(this.maxWindow, Math.max(4 * bytes, 2 * streamTarget));
		streamTarget = Math.min(streamTarget, connectionTarget / 2);
		if (connectionTarget <= this.connectionWindow && streamTarget <= this.streamWindow) {
			return false;
		}
		this.streamWindowBefore = this.streamWindow;
		this.connectionWindowBefore = this.connectionWindow;
		this.connectionWindow = Math.max(this.connectionWindow, connectionTarget);
		this.streamWindow = (int) Math.max(this.streamWindow, streamTarget);
		return true;
	}

	/**
	 * How many consumed bytes a receiver batches into one WINDOW_UPDATE: half the window,
	 * at most {@link #MAX_BATCH}. Credit held back is credit the sender cannot use: half
	 * of a window grown to the bandwidth-delay product held back would leave the link
	 * half its bandwidth.
	 * @param window the window the credit goes back to
	 * @return the batch in bytes
	 */
	static long creditBatch(long window) {
		return Math.min(window / 2, MAX_BATCH);
	}

	/** The most of a window a sender can have in flight while the receiver batches. */
	private static long unbatched(long window) {
		return window - creditBatch(window);
	}

	private void judgeRamp(int streamGoverning, double bandwidth, boolean mayNotStart) {
		if (this.ramp == Ramp.ENDED) {
			return;
		}
		if (this.baseBandwidth == 0) {
			this.baseWindow = streamGoverning;
			this.baseBandwidth = bandwidth;
			return;
		}
		if (streamGoverning < 2L * this.baseWindow) {
			return;
		}
		if (bandwidth < RAMP_GAIN * this.baseBandwidth) {
			this.ramp = Ramp.ENDED;
		}
		else if (!mayNotStart) {
			this.ramp = Ramp.RAMPING;
		}
		this.baseWindow = streamGoverning;
		this.baseBandwidth = bandwidth;
	}

	/**
	 * Whether the last two round trips took a long link's time, as a burst judged before
	 * its pong needs (see {@link #burstSoFar}).
	 * @return whether the link is a long one
	 */
	boolean longLinkConfirmed() {
		return this.longRoundTrips >= 2;
	}

	/**
	 * Whether exactly one round trip, the last, took a long link's time: another will
	 * tell whether the link is long or a JVM was slow to answer (see
	 * {@link #burstSoFar}).
	 * @return whether a second long round trip is wanted
	 */
	boolean confirmingLongLink() {
		return this.longRoundTrips == 1;
	}

	/**
	 * Return the window each stream gets.
	 * @return the stream window
	 */
	int streamWindow() {
		return this.streamWindow;
	}

	/**
	 * Return the connection window.
	 * @return the connection window
	 */
	int connectionWindow() {
		return this.connectionWindow;
	}

	/**
	 * Whether the windows are still ramping up.
	 * @return whether a doubling of the windows last showed a quarter more bandwidth
	 */
	boolean ramping() {
		return this.ramp == Ramp.RAMPING;
	}

	private enum Ramp {

		/** Not yet shown that the bandwidth follows the windows. */
		PROBING,

		/** The bandwidth followed the last doubling of the windows. */
		RAMPING,

		/** A doubling of the windows showed no more bandwidth: the link is full. */
		ENDED

	}

}
