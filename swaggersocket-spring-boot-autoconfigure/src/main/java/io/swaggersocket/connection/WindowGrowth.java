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
 * that needs 16 MiB would spend half a second getting there. So, once the windows have
 * doubled and the bandwidth followed by a quarter or more (the link was window-bound, not
 * queueing), the windows are multiplied by {@value #RAMP} on every sample, until a
 * doubling of the windows no longer shows a quarter more bandwidth (the ramp ends for
 * good then, as TCP's slow start does). The connection window stays at least twice the
 * stream window, so that a stream whose reader stalls never holds all of it, and neither
 * grows beyond the maximum.
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

	private final int maxWindow;

	private int streamWindow;

	private int connectionWindow;

	/** The windows before they last grew: what a stale sample measured. */
	private int streamWindowBefore;

	private int connectionWindowBefore;

	private double bestBandwidth;

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
	 * @return whether either window grew
	 */
	boolean sample(BdpEstimator.Sample sample) {
		double floor = (this.ramp == Ramp.RAMPING) ? RAMP_TOLERANCE * this.bestBandwidth : this.bestBandwidth;
		if (sample.bandwidth() < floor) {
			return false;
		}
		this.bestBandwidth = Math.max(this.bestBandwidth, sample.bandwidth());
		int streamGoverning = sample.stale() ? this.streamWindowBefore : this.streamWindow;
		int connectionGoverning = sample.stale() ? this.connectionWindowBefore : this.connectionWindow;
		long bytes = sample.bytes();
		if (3 * bytes < 2L * streamGoverning && 3 * bytes < 2L * connectionGoverning) {
			return false;
		}
		boolean queued = sample.roundTripNanos() > QUEUEING * sample.minRoundTripNanos();
		judgeRamp(streamGoverning, sample.bandwidth(), queued);
		if (queued) {
			return false;
		}
		long streamTarget = 2 * bytes;
		if (this.ramp == Ramp.RAMPING) {
			streamTarget = Math.max(streamTarget, (long) RAMP * this.streamWindow);
		}
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

	private void judgeRamp(int streamGoverning, double bandwidth, boolean queued) {
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
		else if (!queued) {
			this.ramp = Ramp.RAMPING;
		}
		this.baseWindow = streamGoverning;
		this.baseBandwidth = bandwidth;
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
