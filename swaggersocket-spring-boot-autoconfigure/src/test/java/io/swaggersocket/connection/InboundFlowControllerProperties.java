package io.swaggersocket.connection;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credit one stream's receiver grants, whatever the declared windows, the link's
 * round trips, the frames' sizes and how fast the reader takes them: a sender that uses
 * all its credit is never refused, never waits for credit it cannot get, and, once a
 * declared window's allowance is spent, holds no more than the stream window in credit
 * and bytes in flight.
 */
class InboundFlowControllerProperties {

	private static final int KIB = 1024;

	@Property(tries = 300)
	void aSenderUsingAllItsCreditIsNeverRefusedNeverStuckAndKeptToTheStreamWindow(
			@ForAll @IntRange(min = 1, max = 64) int declaredKib64, @ForAll boolean growing,
			@ForAll @IntRange(min = 10, max = 60_000) int roundTripMicros, @ForAll long seed,
			@ForAll @LongRange(min = 1, max = 24) long mebibytes) {
		int declared = declaredKib64 * 64 * KIB;
		int connectionWindow = 2 * declared;
		ConnectionSettings local = new ConnectionSettings(64 * KIB, 16 * KIB, declared, connectionWindow, 100);
		// at or below the declared windows they stay as declared
		int maxWindow = growing ? 64 * 1024 * KIB : declared;
		long[] now = { 0 };
		RecordingFrameWriter writer = new RecordingFrameWriter();
		Map<Integer, Stream> streams = new HashMap<>();
		InboundFlowController flow = new InboundFlowController(local, maxWindow, writer, streams, () -> now[0]);
		Stream stream = new Stream(null, false, 0);
		stream.id = 1;
		streams.put(1, stream);
		flow.opened(stream);
		Random random = new Random(seed);

		long body = mebibytes * 1024 * KIB;
		long granted = declared;
		long sent = 0;
		long consumed = 0;
		// frames on the link, and bytes the reader has yet to take
		ArrayDeque<Integer> link = new ArrayDeque<>();
		long unread = 0;
		// pings waiting for their pong
		ArrayDeque<Pong> pongs = new ArrayDeque<>();
		int handled = 0;
		while (consumed < body) {
			now[0] += 10_000 + random.nextInt(2_000_000);
			// the sender sends what its credit allows, in frames of up to 64 KiB
			long credit = Math.min(granted - sent, body - sent);
			while (credit > 0 && random.nextInt(4) != 0) {
				int frame = (int) Math.min(credit, 1 + random.nextInt(64 * KIB));
				link.add(frame);
				sent += frame;
				credit -= frame;
			}
			// the link delivers some of it
			while (!link.isEmpty() && random.nextBoolean()) {
				int frame = link.poll();
				flow.receivedOnConnection(frame);
				assertThat(flow.receivedOnStream(stream, frame)).as("DATA within the credit granted").isTrue();
				unread += frame;
			}
			// the reader takes some of what arrived
			if (unread > 0 && random.nextInt(3) != 0) {
				int take = (int) Math.min(unread, 1 + random.nextInt(128 * KIB));
				unread -= take;
				consumed += take;
				flow.consumed(stream, take);
			}
			// pings go out as DATA arrives; their pongs come back a round trip later
			for (; handled < writer.pings.size(); handled++) {
				pongs.add(new Pong(writer.pings.get(handled), now[0] + roundTripMicros * 1_000L));
			}
			while (!pongs.isEmpty() && pongs.peek().arrivesNanos() <= now[0]) {
				flow.estimatorPong(pongs.poll().payload());
			}
			granted = declared + writer.granted(1);
			boolean allowanceSpent = consumed >= declared - flow.streamWindow();
			if (growing && allowanceSpent) {
				assertThat(granted - consumed).as("credit and bytes in flight past the allowance")
					.isLessThanOrEqualTo(flow.streamWindow());
			}
			if (link.isEmpty() && unread == 0 && consumed < body) {
				// everything sent was read: the sender must have credit left
				assertThat(granted - sent).as("credit after every byte sent was read").isPositive();
			}
		}
		// connection credit goes back in batches of at most 2 MiB
		assertThat(writer.granted(0)).as("connection credit returned").isGreaterThan(body - WindowGrowth.MAX_BATCH);
		if (!growing) {
			// fixed windows are kept out whole: credit goes back at half the window
			assertThat(granted - consumed).isGreaterThan(declared / 2);
		}
	}

	/**
	 * A ping's payload, and when its pong comes back.
	 */
	private record Pong(byte[] payload, long arrivesNanos) {

	}

}
