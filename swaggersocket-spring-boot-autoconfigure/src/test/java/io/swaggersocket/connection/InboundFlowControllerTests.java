package io.swaggersocket.connection;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.swaggersocket.protocol.Frame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credit this side grants: windows that grow from the measured bandwidth-delay
 * product, and never so far that one stalled stream holds the whole connection window.
 */
class InboundFlowControllerTests {

	private static final int KIB = 1024;

	private final ConnectionSettings local = new ConnectionSettings(64 * KIB, 16 * KIB, 256 * KIB, 1024 * KIB, 100);

	private final RecordingFrameWriter writer = new RecordingFrameWriter();

	private final Map<Integer, Stream> streams = new HashMap<>();

	/**
	 * Each reading of the clock is 5 ms after the last: a round trip takes 5 ms unless a
	 * test adds to it.
	 */
	private final AtomicLong now = new AtomicLong();

	private final LongSupplier clock = () -> this.now.addAndGet(5_000_000);

	@Test
	void windowsGrowOnceARoundTripDeliversMostOfAWindowAndGrantTheDifference() {
		InboundFlowController flow = new InboundFlowController(this.local, 16 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		byte[] ping = receive(flow, open, 200 * KIB);
		assertThat(ping).isNotNull();

		flow.estimatorPong(ping);

		// 200 KiB in one round trip, over two thirds of the stream window: it grows to
		// twice that; the connection window (1 MiB) is already over four times it
		assertThat(flow.streamWindow()).isEqualTo(400 * KIB);
		assertThat(flow.connectionWindow()).isEqualTo(1024 * KIB);
		// besides the credit for what the reader took
		assertThat(this.writer.updates).contains(new Frame.WindowUpdate(1, 144 * KIB));
		assertThat(open.window).isEqualTo(400 * KIB);

		// a later stream gets the grown window at once
		Stream later = openStream(flow, 3);
		assertThat(later.window).isEqualTo(400 * KIB);
		assertThat(this.writer.updates).endsWith(new Frame.WindowUpdate(3, 144 * KIB));
	}

	@Test
	void connectionWindowStaysTwiceTheStreamWindowAndBothStopAtTheMaximum() {
		InboundFlowController flow = new InboundFlowController(this.local, 4 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		for (int round = 0; round < 10; round++) {
			byte[] ping = receive(flow, open, flow.streamWindow());
			flow.estimatorPong(ping);
		}
		assertThat(flow.connectionWindow()).isEqualTo(4 * 1024 * KIB);
		assertThat(flow.streamWindow()).isEqualTo(2 * 1024 * KIB);
		assertThat(open.window).isEqualTo(2 * 1024 * KIB);
	}

	@Test
	void roundTripsThatDeliverLittleLeaveTheWindowsAlone() {
		InboundFlowController flow = new InboundFlowController(this.local, 16 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		byte[] ping = receive(flow, open, 100 * KIB);
		flow.estimatorPong(ping);
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
		assertThat(flow.connectionWindow()).isEqualTo(1024 * KIB);
		assertThat(this.writer.updates).isEmpty();
	}

	@Test
	void roundTripsThatOnlyGrewWithQueueingLeaveTheWindowsAlone() {
		InboundFlowController flow = new InboundFlowController(this.local, 16 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		flow.estimatorPong(receive(flow, open, 200 * KIB));
		assertThat(flow.streamWindow()).isEqualTo(400 * KIB);
		// the same bytes again, but the pong came back three times later: the link
		// carries no more, a queue grew
		byte[] ping = receive(flow, open, 300 * KIB);
		this.now.addAndGet(20_000_000);
		flow.estimatorPong(ping);
		assertThat(flow.streamWindow()).isEqualTo(400 * KIB);
	}

	@Test
	void bytesNobodyReadsDoNotGrowTheWindows() {
		InboundFlowController flow = new InboundFlowController(this.local, 16 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		int pings = this.writer.pings.size();
		flow.receivedOnConnection(256 * KIB);
		assertThat(flow.receivedOnStream(open, 256 * KIB)).isTrue();
		flow.estimatorPong(this.writer.pings.get(pings));
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
		assertThat(this.writer.updates).isEmpty();
	}

	@Test
	void windowsDoNotGrowWhenTheMaximumIsTheDeclaredWindow() {
		InboundFlowController flow = new InboundFlowController(this.local, 256 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		assertThat(receive(flow, open, 256 * KIB)).isNull();
		assertThat(this.writer.pings).isEmpty();
	}

	@Test
	void dataBeyondTheGrantedStreamWindowIsRefused() {
		InboundFlowController flow = new InboundFlowController(this.local, 16 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		flow.receivedOnConnection(256 * KIB);
		assertThat(flow.receivedOnStream(open, 256 * KIB)).isTrue();
		flow.receivedOnConnection(1);
		assertThat(flow.receivedOnStream(open, 1)).isFalse();
	}

	@Test
	void oneStreamOnALongLinkReachesTheLinksBandwidthDelayProductWithinFiveRoundTrips() {
		// a 50 ms link that carries 16 MiB per round trip, and a 64 MiB maximum
		long roundTrip = 50_000_000;
		int link = 16 * 1024 * KIB;
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = new InboundFlowController(this.local, 64 * 1024 * KIB, this.writer, this.streams,
				time::get);
		Stream open = openStream(flow, 1);
		// credit granted at a pong reaches the sender half a round trip later, so the
		// bytes
		// of the round trip that starts then were sent under the windows before it
		long sentUnder = open.window;
		int roundTrips = 0;
		while (roundTrips < 5) {
			long windowAtPing = open.window;
			byte[] ping = receive(flow, open, (int) Math.min(link, sentUnder));
			time.addAndGet(roundTrip);
			flow.estimatorPong(ping);
			sentUnder = windowAtPing;
			roundTrips++;
		}
		assertThat(flow.streamWindow()).isGreaterThanOrEqualTo(link);
		assertThat(flow.connectionWindow()).isLessThanOrEqualTo(64 * 1024 * KIB);
		assertThat(flow.streamWindow()).isLessThanOrEqualTo(flow.connectionWindow() / 2);
	}

	@Test
	void aBurstThatLeavesALongLinkIdleGrowsTheWindowsToWhatTheLinkCarriesPerRoundTrip() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = new InboundFlowController(this.local, 64 * 1024 * KIB, this.writer, this.streams,
				time::get);
		Stream open = openStream(flow, 1);
		// the declared 256 KiB arrive as four frames within 0.75 ms, then nothing until
		// the pong 50 ms after the ping, twice: the link idled for want of credit
		for (int roundTrip = 1; roundTrip <= 2; roundTrip++) {
			byte[] ping = receiveDeclaredWindowInABurst(flow, open, time);
			time.set(roundTrip * 50_000_000L);
			flow.estimatorPong(ping);
		}
		// 192 KiB in 0.75 ms after the first frame is 250 MiB/s, 12.5 MiB per 50 ms: the
		// stream window gets twice that, the connection window twice the stream's
		assertThat(flow.streamWindow()).isEqualTo(25 * 1024 * KIB);
		assertThat(flow.connectionWindow()).isEqualTo(50 * 1024 * KIB);
		assertThat(open.window).isEqualTo(25 * 1024 * KIB);
	}

	@Test
	void aHandshakeThatTookALongLinksRoundTripLetsTheFirstBurstGrowTheWindows() {
		// the probe tells the 50 ms round trip before DATA arrives, so the first round
		// trip
		// with DATA, the declared 256 KiB in 0.75 ms and then nothing, shows the burst
		InboundFlowController flow = probeThenBurst(50_000_000, 50_000_000);
		assertThat(flow.streamWindow()).isEqualTo(25 * 1024 * KIB);
		assertThat(this.streams.get(1).window).isEqualTo(25 * 1024 * KIB);
	}

	@Test
	void aLongLinksBurstGrowsTheWindowsAsSoonAsItHasTakenAllTheCredit() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = probed(time, 50_000_000, 50_000_000);
		// one long round trip may have been a cold JVM's: a second probe confirms it
		assertThat(this.writer.pings).hasSize(2);
		time.set(100_000_000);
		flow.estimatorPong(this.writer.pings.get(1));
		assertThat(this.writer.pings).hasSize(2);
		Stream open = openStream(flow, 1);
		byte[] ping = receive(flow, open, 64 * KIB);
		assertThat(ping).isNotNull();
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
		// 128 KiB within 0.25 ms, all the credit but the 128 KiB batch held back: the
		// link idles for want of credit until the pong; 64 KiB in 0.25 ms after the
		// first frame is 250 MiB/s, 12.5 MiB per 50 ms
		time.addAndGet(250_000);
		receive(flow, open, 64 * KIB);
		assertThat(flow.streamWindow()).isEqualTo(25 * 1024 * KIB);
		assertThat(flow.connectionWindow()).isEqualTo(50 * 1024 * KIB);
		assertThat(open.window).isEqualTo(25 * 1024 * KIB);
		assertThat(this.writer.granted(1)).isEqualTo(25 * 1024 * KIB - 256 * KIB);
		assertThat(this.writer.granted(0)).isEqualTo(49 * 1024 * KIB);
		// the rest of the burst and its pong grant nothing more than the bytes taken
		time.addAndGet(250_000);
		receive(flow, open, 64 * KIB);
		time.addAndGet(250_000);
		receive(flow, open, 64 * KIB);
		int updates = this.writer.updates.size();
		time.set(150_000_000);
		flow.estimatorPong(ping);
		assertThat(this.writer.updates).hasSize(updates);
		assertThat(flow.streamWindow()).isEqualTo(25 * 1024 * KIB);
	}

	@Test
	void afterOneLongRoundTripABurstGrowsTheWindowsOnlyAtThePong() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = probed(time, 50_000_000, 50_000_000);
		// the burst arrives while the second probe is out, and counts in its round trip
		Stream open = openStream(flow, 1);
		receiveDeclaredWindowInABurst(flow, open, time);
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
		time.set(100_000_000);
		flow.estimatorPong(this.writer.pings.get(1));
		assertThat(flow.streamWindow()).isEqualTo(25 * 1024 * KIB);
		assertThat(this.writer.pings).hasSize(2);
	}

	@Test
	void aProbeThatTookAShortLinksRoundTripIsNotRepeated() {
		probed(new AtomicLong(), 50_000_000, 1_000_000);
		assertThat(this.writer.pings).hasSize(1);
	}

	@Test
	void aHandshakeThatTookAShortLinksRoundTripSendsNoProbe() {
		InboundFlowController flow = new InboundFlowController(this.local, 64 * 1024 * KIB, this.writer, this.streams,
				this.clock);
		flow.connectionOpened(WindowGrowth.LONG_LINK_NANOS - 1);
		assertThat(this.writer.pings).isEmpty();
	}

	@Test
	void aSlowHandshakeOnAShortLinkLeavesBurstsWithoutEffect() {
		// a cold JVM took 200 ms over the handshake, but the probe's pong comes back in
		// 1 ms: a round trip then held up for 50 ms with a burst in it is no long link's
		InboundFlowController flow = probeThenBurst(200_000_000, 1_000_000);
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void windowsThatCannotGrowSendNoProbe() {
		InboundFlowController flow = new InboundFlowController(this.local, 256 * KIB, this.writer, this.streams,
				this.clock);
		flow.connectionOpened(50_000_000);
		assertThat(this.writer.pings).isEmpty();
	}

	@Test
	void creditForGrownWindowsGoesBackInBatchesOfAtMostTwoMebibytes() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = new InboundFlowController(this.local, 64 * 1024 * KIB, this.writer, this.streams,
				time::get);
		Stream open = openStream(flow, 1);
		// ramp the windows up as a 50 ms link that carries 16 MiB per round trip would
		long sentUnder = open.window;
		for (int round = 0; round < 5; round++) {
			long windowAtPing = open.window;
			byte[] ping = receive(flow, open, (int) Math.min(16 * 1024 * KIB, sentUnder));
			time.addAndGet(50_000_000);
			flow.estimatorPong(ping);
			sentUnder = windowAtPing;
		}
		assertThat(open.window).isGreaterThan(8 * 1024 * KIB);
		this.writer.updates.clear();
		// held back until half the window was consumed, the credit would leave the sender
		// half of a window sized for the link, and the link half its bandwidth
		receive(flow, open, 2 * 1024 * KIB);
		assertThat(this.writer.updates).contains(new Frame.WindowUpdate(1, 2 * 1024 * KIB),
				new Frame.WindowUpdate(0, 2 * 1024 * KIB));
	}

	@Test
	void aDeclaredWindowBeyondTheDefaultIsSpentOnceAndThenTheStreamWindowIsKeptOut() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = declaringFourMebibytes(time);
		Stream open = openStream(flow, 1);
		assertThat(open.window).isEqualTo(4096 * KIB);
		long granted = 4096 * KIB;
		long consumed = 0;
		byte[] ping = null;
		// 16 MiB in 64 KiB frames 0.1 ms apart, the sender using all its credit, each
		// round trip answered after four frames: a short link, whose round trips carry
		// the allowance first and then what the stream window keeps out
		for (int frame = 0; frame < 256; frame++) {
			assertThat(granted - consumed).as("credit the sender holds").isGreaterThanOrEqualTo(64 * KIB);
			time.addAndGet(100_000);
			byte[] sent = receive(flow, open, 64 * KIB);
			consumed += 64 * KIB;
			ping = (sent != null) ? sent : ping;
			if (ping != null && frame % 4 == 3) {
				flow.estimatorPong(ping);
				ping = null;
			}
			granted = 4096 * KIB + this.writer.granted(1);
			if (consumed <= (4096 - 256) * KIB) {
				// round trips that carried the allowance (the declared window but the
				// last stream window of it) say nothing of the link
				assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
			}
			else {
				// the sender holds at most the stream window in credit and in flight
				assertThat(granted - consumed).isLessThanOrEqualTo(flow.streamWindow());
			}
		}
		assertThat(flow.streamWindow()).isLessThan(4096 * KIB);
		// the connection's credit all goes back, in batches
		assertThat(consumed - this.writer.granted(0)).isLessThan(WindowGrowth.MAX_BATCH);
	}

	@Test
	void bodiesThatArriveWholeWithinTheirAllowanceDoNotGrowTheWindows() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = declaringFourMebibytes(time);
		// 1 MiB bodies one after another on a short link, each ended before its reader
		// takes it: every round trip carries 1 MiB, all of it allowance
		for (int id = 1; id < 40; id += 2) {
			Stream stream = openStream(flow, id);
			int pings = this.writer.pings.size();
			flow.receivedOnConnection(1024 * KIB);
			assertThat(flow.receivedOnStream(stream, 1024 * KIB)).isTrue();
			stream.state = stream.state.remoteEnded();
			time.addAndGet(500_000);
			flow.consumed(stream, 1024 * KIB);
			if (this.writer.pings.size() > pings) {
				flow.estimatorPong(this.writer.pings.get(pings));
			}
			this.streams.remove(id);
		}
		assertThat(this.writer.pings).isNotEmpty();
		assertThat(flow.streamWindow()).isEqualTo(256 * KIB);
	}

	@Test
	void aLongLinksBurstOfTheDeclaredAllowanceStillGrowsTheWindows() {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = declaringFourMebibytes(time);
		flow.connectionOpened(50_000_000);
		time.set(50_000_000);
		flow.estimatorPong(this.writer.pings.get(0));
		time.set(100_000_000);
		flow.estimatorPong(this.writer.pings.get(1));
		Stream open = openStream(flow, 1);
		// the declared 4 MiB in 64 frames within 6.3 ms, then nothing until the pong
		byte[] ping = receive(flow, open, 64 * KIB);
		for (int frame = 1; frame < 64; frame++) {
			time.addAndGet(100_000);
			receive(flow, open, 64 * KIB);
		}
		time.set(150_000_000);
		flow.estimatorPong(ping);
		// 4032 KiB in 6.3 ms is 625 MiB/s, 30.5 MiB per 50 ms: the stream window stops at
		// half the 64 MiB maximum, and the stream is granted what it adds to the 4 MiB
		assertThat(flow.streamWindow()).isEqualTo(32 * 1024 * KIB);
		assertThat(open.window).isEqualTo(32 * 1024 * KIB);
		assertThat(this.writer.updates).contains(new Frame.WindowUpdate(1, 28 * 1024 * KIB));
	}

	@Test
	void fixedWindowsAreKeptOutWhole() {
		ConnectionSettings large = new ConnectionSettings(64 * KIB, 16 * KIB, 4096 * KIB, 4096 * KIB, 100);
		InboundFlowController flow = new InboundFlowController(large, 4096 * KIB, this.writer, this.streams,
				this.clock);
		Stream open = openStream(flow, 1);
		for (int frame = 0; frame < 32; frame++) {
			receive(flow, open, 64 * KIB);
		}
		// without growth the declared window is all there is: credit goes back at half
		assertThat(this.writer.updates).containsExactly(new Frame.WindowUpdate(1, 2048 * KIB),
				new Frame.WindowUpdate(0, 2048 * KIB));
	}

	/**
	 * A controller that declares 4 MiB per stream and 8 MiB for the connection, and whose
	 * windows can grow to 64 MiB.
	 */
	private InboundFlowController declaringFourMebibytes(AtomicLong time) {
		ConnectionSettings large = new ConnectionSettings(64 * KIB, 16 * KIB, 4096 * KIB, 8192 * KIB, 100);
		return new InboundFlowController(large, 64 * 1024 * KIB, this.writer, this.streams, time::get);
	}

	private Stream openStream(InboundFlowController flow, int id) {
		Stream stream = new Stream(null, false, 0);
		stream.id = id;
		this.streams.put(id, stream);
		flow.opened(stream);
		return stream;
	}

	/**
	 * Open a connection whose handshake took {@code handshakeNanos}, answer its probe
	 * {@code probeNanos} later (and the second probe a long link's first one brings as
	 * long again), then open stream 1, take the declared window on it in a burst and
	 * answer that round trip's ping 50 ms after the burst began.
	 */
	private InboundFlowController probeThenBurst(long handshakeNanos, long probeNanos) {
		AtomicLong time = new AtomicLong();
		InboundFlowController flow = probed(time, handshakeNanos, probeNanos);
		if (this.writer.pings.size() > 1) {
			// a long round trip is probed once more
			time.set(2 * probeNanos);
			flow.estimatorPong(this.writer.pings.get(1));
		}
		long burstStart = time.get();
		byte[] ping = receiveDeclaredWindowInABurst(flow, openStream(flow, 1), time);
		time.set(burstStart + 50_000_000);
		flow.estimatorPong(ping);
		return flow;
	}

	/**
	 * Open a connection whose handshake took {@code handshakeNanos}, and answer the probe
	 * it sends {@code probeNanos} later.
	 */
	private InboundFlowController probed(AtomicLong time, long handshakeNanos, long probeNanos) {
		InboundFlowController flow = new InboundFlowController(this.local, 64 * 1024 * KIB, this.writer, this.streams,
				time::get);
		flow.connectionOpened(handshakeNanos);
		assertThat(this.writer.pings).hasSize(1);
		time.set(probeNanos);
		flow.estimatorPong(this.writer.pings.get(0));
		return flow;
	}

	/**
	 * Receive the declared 256 KiB as four frames within 0.75 ms, as a long link delivers
	 * a window the sender sent at once; return the estimator's ping if the first frame
	 * started a round trip.
	 */
	private byte[] receiveDeclaredWindowInABurst(InboundFlowController flow, Stream stream, AtomicLong time) {
		byte[] ping = receive(flow, stream, 64 * KIB);
		for (int frame = 1; frame < 4; frame++) {
			time.addAndGet(250_000);
			receive(flow, stream, 64 * KIB);
		}
		return ping;
	}

	/**
	 * Receive bytes on a stream and hand them to its reader; return the estimator's ping
	 * if one went out.
	 */
	private byte[] receive(InboundFlowController flow, Stream stream, int length) {
		int pings = this.writer.pings.size();
		flow.receivedOnConnection(length);
		assertThat(flow.receivedOnStream(stream, length)).isTrue();
		flow.consumed(stream, length);
		return (this.writer.pings.size() > pings) ? this.writer.pings.get(pings) : null;
	}

}
