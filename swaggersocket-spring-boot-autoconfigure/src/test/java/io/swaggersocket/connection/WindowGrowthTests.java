package io.swaggersocket.connection;

import io.swaggersocket.connection.BdpEstimator.Sample;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How far the windows grow from round-trip samples: fast while the bandwidth follows
 * them, never from queueing, and never beyond the maximum or past half the connection
 * window for a stream.
 */
class WindowGrowthTests {

	private static final int KIB = 1024;

	private static final int MIB = 1024 * KIB;

	private final WindowGrowth growth = new WindowGrowth(256 * KIB, MIB, 64 * MIB);

	private long minRoundTrip = Long.MAX_VALUE;

	@Test
	void aWindowBoundRoundTripGrowsTheStreamWindowToTwiceItsBytes() {
		assertThat(this.growth.sample(clean(256 * KIB, 50), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(MIB);
		assertThat(this.growth.ramping()).isFalse();
	}

	@Test
	void aRoundTripThatStartedBeforeTheSenderHeardOfTheGrowthIsJudgedByTheWindowsBefore() {
		this.growth.sample(clean(256 * KIB, 50), false);
		// the same bytes again, sent under the 256 KiB window: window-bound, but the
		// windows are already twice that
		assertThat(this.growth.sample(stale(256 * KIB, 50), false)).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
	}

	@Test
	void windowsGrowFourfoldPerRoundTripOnceTheBandwidthFollowedADoubling() {
		this.growth.sample(clean(256 * KIB, 50), false);
		this.growth.sample(stale(256 * KIB, 50), false);
		// twice the window moved twice the bytes in the same time: window-bound
		assertThat(this.growth.sample(clean(512 * KIB, 50), false)).isTrue();
		assertThat(this.growth.ramping()).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(2 * MIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(4 * MIB);
		// the next round trip still measures the 512 KiB window, and the ramp goes on
		assertThat(this.growth.sample(stale(512 * KIB, 50), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(8 * MIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(16 * MIB);
	}

	@Test
	void onAShortLinkTheWindowsDoubleButNeverRamp() {
		// the same bandwidth following a doubling as above, in 1 ms round trips
		this.growth.sample(clean(256 * KIB, 1), false);
		this.growth.sample(stale(256 * KIB, 1), false);
		assertThat(this.growth.sample(clean(512 * KIB, 1), false)).isTrue();
		assertThat(this.growth.ramping()).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(MIB);
		assertThat(this.growth.sample(stale(512 * KIB, 1), false)).isFalse();
		assertThat(this.growth.sample(clean(MIB, 1), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(2 * MIB);
		assertThat(this.growth.ramping()).isFalse();
	}

	@Test
	void theStreamWindowStopsAtHalfTheMaximumAndTheConnectionWindowAtTheMaximum() {
		rampTo8MiB();
		this.growth.sample(stale(2 * MIB, 50), false);
		this.growth.sample(stale(8 * MIB, 50), false);
		assertThat(this.growth.connectionWindow()).isEqualTo(64 * MIB);
		assertThat(this.growth.streamWindow()).isEqualTo(32 * MIB);
	}

	@Test
	void theRampEndsForGoodWhenADoublingOfTheWindowsBringsNoMoreBandwidth() {
		rampTo8MiB();
		// the 2 MiB window filled but moved no more per second than 512 KiB did: the
		// link is full (its bytes took four times as long)
		assertThat(this.growth.sample(stale(2 * MIB, 200), false)).isFalse();
		assertThat(this.growth.ramping()).isFalse();
		// back to twice what a round trip moved, which the windows already exceed
		assertThat(this.growth.streamWindow()).isEqualTo(8 * MIB);
		assertThat(this.growth.sample(clean(6 * MIB, 60), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(12 * MIB);
		assertThat(this.growth.ramping()).isFalse();
	}

	@Test
	void roundTripsThatGrowWithQueueingNeverStartTheRamp() {
		// the pong waits behind whatever the windows let the sender queue (on a long
		// link's bottleneck here, from 25.6 ms): every round trip fills the window and
		// takes as much longer as it holds more
		for (int round = 0; round < 10; round++) {
			int window = this.growth.streamWindow();
			this.growth.sample(clean(window, window / KIB / 10.0 * Math.pow(1.01, round)), false);
		}
		assertThat(this.growth.ramping()).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(MIB);
	}

	@Test
	void roundTripsMuchLongerThanTheShortestGrowNothing() {
		// a short round trip when the sender had little to send: a 1 ms link
		assertThat(this.growth.sample(clean(16 * KIB, 1), false)).isFalse();
		// then full windows at a rising bandwidth, as a JVM warming up moves them, but
		// at eight times the link's round trip: a queue, not the link, holds those bytes
		assertThat(this.growth.sample(clean(256 * KIB, 16), false)).isFalse();
		assertThat(this.growth.sample(clean(256 * KIB, 8), false)).isFalse();
		assertThat(this.growth.sample(clean(256 * KIB, 4), false)).isFalse();
		assertThat(this.growth.ramping()).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(MIB);
	}

	@Test
	void roundTripsThatMoveLittleNeitherGrowTheWindowsNorEndTheRamp() {
		rampTo8MiB();
		// a sender with little to send, at the best bandwidth yet
		assertThat(this.growth.sample(clean(100 * KIB, 50), false)).isFalse();
		assertThat(this.growth.ramping()).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(8 * MIB);
	}

	@Test
	void roundTripsSlowerThanTheBestYetDoNotGrowTheWindows() {
		this.growth.sample(clean(256 * KIB, 50), false);
		assertThat(this.growth.sample(clean(512 * KIB, 150), false)).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
	}

	@Test
	void aBurstThatUsedAllTheCreditGrowsTheWindowsToTwiceWhatTheLinkCarriesPerRoundTrip() {
		longLink(this.growth);
		// 256 KiB in 1 ms of a 50 ms round trip: 250 MiB/s, 12.5 MiB per round trip
		assertThat(this.growth.sample(burst(256 * KIB, 50, 1), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(25 * MIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(50 * MIB);
	}

	@Test
	void aBurstCountsAsUsingAllTheCreditWhenItMovedTheWindowLessTheCreditHeldBackForABatch() {
		// a 4 MiB window of which the receiver holds back up to 2 MiB for one
		// WINDOW_UPDATE: a round trip moves 2 MiB when the window is what limits it
		WindowGrowth growth = new WindowGrowth(4 * MIB, 8 * MIB, 64 * MIB);
		longLink(growth);
		assertThat(growth.sample(burst(2 * MIB, 50, 8), false)).isTrue();
		assertThat(growth.streamWindow()).isEqualTo(25 * MIB);
	}

	@Test
	void aBurstThatLeftCreditUnusedGrowsNothing() {
		longLink(this.growth);
		// the sender had little to send: the link idled, but not for want of credit
		assertThat(this.growth.sample(burst(64 * KIB, 50, 1), false)).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void aBurstInARoundTripThatQueuedGrowsNothing() {
		this.growth.sample(clean(16 * KIB, 10), false);
		assertThat(this.growth.sample(burst(256 * KIB, 50, 1), false)).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void bytesThatArrivedThroughoutTheRoundTripAreNoBurst() {
		longLink(this.growth);
		// the link was busy half the round trip: only twice the bytes, as without bursts
		assertThat(this.growth.sample(burst(256 * KIB, 50, 25), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
	}

	@Test
	void burstsOnLinksOfShortRoundTripsGrowTheWindowsAsOtherRoundTripsDo() {
		this.growth.sample(clean(16 * KIB, 10), false);
		// loopback on a loaded machine: the scheduler holds the pong for 10 ms and the
		// window arrives in one coalesced read; only twice the bytes, as without a burst
		assertThat(this.growth.sample(burst(256 * KIB, 10, 0.1), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
	}

	@Test
	void aBurstGrowsTheWindowsNoFurtherThanTheMaximum() {
		longLink(this.growth);
		assertThat(this.growth.sample(burst(256 * KIB, 50, 0.1), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(32 * MIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(64 * MIB);
	}

	@Test
	void aBurstInTheFirstRoundTripGrowsTheWindowsAsOtherRoundTripsDo() {
		// a cold JVM can hold a connection's first pong for 50 ms on loopback too
		assertThat(this.growth.sample(burst(256 * KIB, 50, 1), false)).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(512 * KIB);
	}

	@Test
	void aBurstOfAllTheCreditGrowsTheWindowsBeforeThePong() {
		twoLongRoundTrips();
		// half the 256 KiB window (the other half is the batch held back) within 0.5 ms
		// of a 50 ms round trip: 250 MiB/s, 12.5 MiB per round trip
		assertThat(this.growth.burstSoFar(burst(128 * KIB, 50, 0.5))).isTrue();
		assertThat(this.growth.streamWindow()).isEqualTo(25 * MIB);
		assertThat(this.growth.connectionWindow()).isEqualTo(50 * MIB);
		// the pong measured the windows before: the whole burst grows nothing more
		assertThat(this.growth.sample(staleBurst(256 * KIB, 50, 1), false)).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(25 * MIB);
	}

	@Test
	void aBurstThatHasNotYetTakenAllTheCreditWaitsForMore() {
		twoLongRoundTrips();
		assertThat(this.growth.burstSoFar(burst(64 * KIB, 50, 0.25))).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void bytesTakenOverMoreThanAQuarterOfTheRoundTripAreNoBurstBeforeThePongEither() {
		twoLongRoundTrips();
		assertThat(this.growth.burstSoFar(burst(256 * KIB, 50, 20))).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void oneLongRoundTripIsNotEnoughForABurstBeforeThePong() {
		// a cold JVM may have held up the one round trip measured: the pong's round
		// trip will tell
		longLink(this.growth);
		assertThat(this.growth.confirmingLongLink()).isTrue();
		assertThat(this.growth.burstSoFar(burst(128 * KIB, 50, 0.5))).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
		longLink(this.growth);
		assertThat(this.growth.confirmingLongLink()).isFalse();
	}

	@Test
	void aShortRoundTripStartsTheCountOfLongOnesAgain() {
		longLink(this.growth);
		this.growth.sample(clean(16 * KIB, 1), false);
		assertThat(this.growth.confirmingLongLink()).isFalse();
		longLink(this.growth);
		assertThat(this.growth.confirmingLongLink()).isTrue();
	}

	@Test
	void onAShortLinkNoBurstGrowsTheWindowsBeforeThePong() {
		this.growth.sample(clean(16 * KIB, 10), false);
		assertThat(this.growth.burstSoFar(burst(256 * KIB, 10, 0.1))).isFalse();
		assertThat(this.growth.streamWindow()).isEqualTo(256 * KIB);
	}

	/** A first round trip of 50 ms in which the sender had little to send. */
	private void longLink(WindowGrowth growth) {
		assertThat(growth.sample(clean(16 * KIB, 50), false)).isFalse();
	}

	/** The two long round trips a burst judged before its pong needs. */
	private void twoLongRoundTrips() {
		longLink(this.growth);
		longLink(this.growth);
		assertThat(this.growth.longLinkConfirmed()).isTrue();
	}

	private void rampTo8MiB() {
		this.growth.sample(clean(256 * KIB, 50), false);
		this.growth.sample(stale(256 * KIB, 50), false);
		this.growth.sample(clean(512 * KIB, 50), false);
		this.growth.sample(stale(512 * KIB, 50), false);
		assertThat(this.growth.streamWindow()).isEqualTo(8 * MIB);
		assertThat(this.growth.ramping()).isTrue();
	}

	/** A round trip measuring the current windows. */
	private Sample clean(long bytes, double roundTripMillis) {
		return sample(bytes, roundTripMillis, false);
	}

	/** A round trip that measured the windows before their last growth. */
	private Sample stale(long bytes, double roundTripMillis) {
		return sample(bytes, roundTripMillis, true);
	}

	private Sample sample(long bytes, double roundTripMillis, boolean stale) {
		long roundTrip = (long) (roundTripMillis * 1_000_000);
		this.minRoundTrip = Math.min(this.minRoundTrip, roundTrip);
		return new Sample(bytes, bytes * 1e9 / roundTrip, roundTrip, this.minRoundTrip, stale, 0, 0);
	}

	/**
	 * A round trip measuring the current windows whose bytes readers took within
	 * {@code burstMillis}, at an even rate.
	 */
	private Sample burst(long bytes, double roundTripMillis, double burstMillis) {
		return burst(bytes, roundTripMillis, burstMillis, false);
	}

	/** A burst in a round trip that measured the windows before their last growth. */
	private Sample staleBurst(long bytes, double roundTripMillis, double burstMillis) {
		return burst(bytes, roundTripMillis, burstMillis, true);
	}

	private Sample burst(long bytes, double roundTripMillis, double burstMillis, boolean stale) {
		long roundTrip = (long) (roundTripMillis * 1_000_000);
		long burst = (long) (burstMillis * 1_000_000);
		this.minRoundTrip = Math.min(this.minRoundTrip, roundTrip);
		return new Sample(bytes, bytes * 1e9 / roundTrip, roundTrip, this.minRoundTrip, stale, burst,
				bytes * 1e9 / burst);
	}

}
