package io.swaggersocket.connection;

import java.util.concurrent.atomic.AtomicLong;

import io.swaggersocket.connection.BdpEstimator.Sample;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one round trip of the estimator's ping measures.
 */
class BdpEstimatorTests {

	private static final long MILLIS = 1_000_000;

	private final AtomicLong now = new AtomicLong(1_000 * MILLIS);

	private final BdpEstimator estimator = new BdpEstimator(this.now::get);

	@Test
	void aRoundTripCountsTheBytesReadersTookUntilThePong() {
		byte[] ping = this.estimator.received();
		assertThat(ping).isNotNull();
		assertThat(this.estimator.received()).isNull();
		this.estimator.consumed(64 * 1024);
		this.estimator.consumed(64 * 1024);
		this.now.addAndGet(50 * MILLIS);
		Sample sample = this.estimator.pong(ping);
		assertThat(sample).isNotNull();
		assertThat(sample.bytes()).isEqualTo(128 * 1024);
		assertThat(sample.bandwidth()).isEqualTo(128 * 1024 / 0.05);
		assertThat(sample.roundTripNanos()).isEqualTo(50 * MILLIS);
		assertThat(sample.stale()).isFalse();
	}

	@Test
	void aRoundTripMeasuresHowFastReadersTookItsBytesAfterTheFirst() {
		byte[] ping = this.estimator.received();
		this.estimator.consumed(64 * 1024);
		this.now.addAndGet(MILLIS);
		this.estimator.consumed(64 * 1024);
		this.now.addAndGet(MILLIS);
		this.estimator.consumed(64 * 1024);
		this.now.addAndGet(48 * MILLIS);
		Sample sample = this.estimator.pong(ping);
		assertThat(sample).isNotNull();
		assertThat(sample.burstNanos()).isEqualTo(2 * MILLIS);
		// the first bytes mark the burst's start: 128 KiB in 2 ms
		assertThat(sample.burstRate()).isEqualTo(128 * 1024 / 0.002);
	}

	@Test
	void theRoundTripSoFarIsMeasuredAsIfItsPongCameAfterTheShortestRoundTrip() {
		byte[] probe = this.estimator.probe();
		this.now.addAndGet(50 * MILLIS);
		this.estimator.pong(probe);
		byte[] ping = this.estimator.received();
		assertThat(ping).isNotNull();
		this.estimator.consumed(64 * 1024);
		// one take tells no rate yet
		assertThat(this.estimator.soFar()).isNull();
		this.now.addAndGet(MILLIS);
		this.estimator.consumed(64 * 1024);
		Sample soFar = this.estimator.soFar();
		assertThat(soFar).isNotNull();
		assertThat(soFar.bytes()).isEqualTo(128 * 1024);
		assertThat(soFar.roundTripNanos()).isEqualTo(50 * MILLIS);
		assertThat(soFar.minRoundTripNanos()).isEqualTo(50 * MILLIS);
		assertThat(soFar.burstNanos()).isEqualTo(MILLIS);
		assertThat(soFar.burstRate()).isEqualTo(64 * 1024 / 0.001);
		assertThat(soFar.stale()).isFalse();
	}

	@Test
	void theRoundTripSoFarTellsNothingBeforeAnyRoundTripWasMeasured() {
		takeTwoFramesAMillisecondApart();
		assertThat(this.estimator.soFar()).isNull();
	}

	@Test
	void theRoundTripSoFarTellsNothingOnceTheWindowsGrewDuringIt() {
		byte[] probe = this.estimator.probe();
		this.now.addAndGet(50 * MILLIS);
		this.estimator.pong(probe);
		takeTwoFramesAMillisecondApart();
		this.estimator.grew();
		this.now.addAndGet(MILLIS);
		this.estimator.consumed(64 * 1024);
		assertThat(this.estimator.soFar()).isNull();
	}

	/** DATA arrives, and readers take 64 KiB, then 64 KiB more a millisecond later. */
	private void takeTwoFramesAMillisecondApart() {
		this.estimator.received();
		this.estimator.consumed(64 * 1024);
		this.now.addAndGet(MILLIS);
		this.estimator.consumed(64 * 1024);
	}

	@Test
	void bytesTakenAtOnceTellNoRate() {
		byte[] ping = this.estimator.received();
		this.estimator.consumed(256 * 1024);
		this.now.addAndGet(50 * MILLIS);
		Sample sample = this.estimator.pong(ping);
		assertThat(sample).isNotNull();
		assertThat(sample.burstRate()).isZero();
	}

	@Test
	void aPingSentSoonAfterTheWindowsGrewMeasuresTheWindowsBefore() {
		this.estimator.grew();
		this.now.addAndGet(10 * MILLIS);
		assertThat(roundTrip(50).stale()).isTrue();
		// the next ping goes out more than half a round trip after the growth
		this.now.addAndGet(30 * MILLIS);
		assertThat(roundTrip(50).stale()).isFalse();
	}

	@Test
	void theShortestRoundTripStandsForTenSecondsAtMost() {
		assertThat(roundTrip(50).minRoundTripNanos()).isEqualTo(50 * MILLIS);
		assertThat(roundTrip(80).minRoundTripNanos()).isEqualTo(50 * MILLIS);
		// the route changed: round trips are 80 ms for good now
		this.now.addAndGet(BdpEstimator.MIN_ROUND_TRIP_LIFETIME);
		assertThat(roundTrip(80).minRoundTripNanos()).isEqualTo(80 * MILLIS);
	}

	@Test
	void aPongForAnOlderPingMeasuresNothing() {
		byte[] first = this.estimator.received();
		assertThat(this.estimator.pong(first)).isNotNull();
		byte[] second = this.estimator.received();
		assertThat(second).isNotNull();
		assertThat(this.estimator.pong(first)).isNull();
	}

	private Sample roundTrip(long millis) {
		byte[] ping = this.estimator.received();
		assertThat(ping).isNotNull();
		this.now.addAndGet(millis * MILLIS);
		Sample sample = this.estimator.pong(ping);
		assertThat(sample).isNotNull();
		return sample;
	}

}
