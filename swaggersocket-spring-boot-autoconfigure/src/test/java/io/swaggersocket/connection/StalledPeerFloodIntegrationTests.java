package io.swaggersocket.connection;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.StalledPeer;
import io.swaggersocket.test.TestApplications;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that declares the largest windows the protocol allows and then never reads
 * cannot make the hub hold more than a bounded amount of memory: the hub stops producing
 * response bodies while its outbound queue is full, whatever credit the peer granted, and
 * the streams it could not finish keep counting against the peer's stream limit. Without
 * the bound, 2,000 bodies of 64 KiB (125 MiB) piled up in the queue.
 */
class StalledPeerFloodIntegrationTests {

	private static final int STREAMS = 2000;

	private static final int BODY = 64 * 1024;

	/** The hub's default {@code maxConcurrentStreams}. */
	private static final int MAX_CONCURRENT_STREAMS = 256;

	private static final long MAX_HEAP_GROWTH = 48L * 1024 * 1024;

	/**
	 * Far more pings than the TCP buffers of both sides and the hub's queue bound can
	 * hold.
	 */
	private static final long MAX_PING_BYTES = 512L * 1024 * 1024;

	private final TestApplications apps = new TestApplications();

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void peerWithMaximumWindowsThatNeverReadsCannotExhaustTheHeap() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		long baseline = heapAfterGc();
		try (StalledPeer peer = StalledPeer.connect(URI.create(socketUrl(hub)),
				"{\"initialStreamWindow\":2147483647,\"connectionWindow\":2147483647}")) {
			SwaggerSocketConnection connection = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
			int opened = 0;
			while (opened < STREAMS && streamFreeWithin(connection, Duration.ofSeconds(2))) {
				peer.send(new Frame.Headers(2 * opened + 1, true,
						List.of(new Header(":method", "GET"), new Header(":path", "/stream/download?size=" + BODY))));
				peer.flush();
				opened++;
				int expected = opened;
				// the hub's count of open streams includes this one before the peer
				// decides on the next
				await().pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(1))
					.atMost(Duration.ofSeconds(5))
					.until(() -> connection.statistics().requestsInbound() == expected);
			}
			// the hub has done what it can: its output no longer moves
			AtomicLong lastSent = new AtomicLong(-1);
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(100))
				.during(Duration.ofMillis(500))
				.until(() -> lastSent.getAndSet(connection.statistics().bytesOutbound()) == connection.statistics()
					.bytesOutbound());
			long growth = heapAfterGc() - baseline;
			long queued = ((SocketConnection) connection).queuedBytes();
			System.out.printf(
					"Stalled peer, %d streams of %d KiB opened: hub heap growth after GC %.1f MiB, "
							+ "%d bytes sent, %d queued, %d streams open%n",
					opened, BODY / 1024, growth / 1048576.0, connection.statistics().bytesOutbound(), queued,
					connection.activeStreams());
			assertThat(growth).isLessThan(MAX_HEAP_GROWTH);
			// the bound, overshot by at most one frame and the streams' response HEADERS
			assertThat(queued).isLessThan(2L * SocketConnection.MAX_QUEUED_BYTES);
			assertThat(connection.isOpen()).isTrue();
			peer.close();
			// the parked streams end with the connection
			await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen() && connection.activeStreams() == 0);
		}
	}

	@Test
	void closesTheConnectionOfAPeerThatAsksForAnswersAndNeverReadsThem() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		try (StalledPeer peer = StalledPeer.connect(URI.create(socketUrl(hub)), "{}")) {
			SwaggerSocketConnection connection = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
			// each ping asks for a pong of the same size: what the hub must send grows
			// with what the
			// peer sends, not with any window, so only a bound on the queue itself can
			// stop it
			byte[] payload = new byte[125];
			long sent = 0;
			try {
				while (connection.isOpen() && sent < MAX_PING_BYTES) {
					for (int i = 0; i < 1000; i++) {
						peer.ping(payload);
					}
					peer.flush();
					sent += 1000L * (6 + payload.length);
				}
			}
			catch (IOException ex) {
				// the hub ended the connection while the peer was still writing
			}
			long pingBytes = sent;
			await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
			SwaggerSocketFailedEvent failed = events(hub).await(SwaggerSocketFailedEvent.class);
			assertThat(failed.getReason()).isEqualTo(FailureReason.PROTOCOL_ERROR);
			assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
			assertThat(pingBytes).isLessThan(MAX_PING_BYTES);
			assertThat(connection.activeStreams()).isZero();
			// and the transport is released, not left for the peer to close
			assertThat(peer.drainUntilEnd(Duration.ofSeconds(15))).isTrue();
		}
	}

	/**
	 * The peer keeps to the hub's stream limit as the hub counts: it opens a stream only
	 * while fewer than the limit are open, and gives up once none finishes in time.
	 */
	private static boolean streamFreeWithin(SwaggerSocketConnection connection, Duration timeout) {
		try {
			await().pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(5))
				.atMost(timeout)
				.until(() -> connection.activeStreams() < MAX_CONCURRENT_STREAMS);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

	private long heapAfterGc() {
		System.gc();
		return this.memory.getHeapMemoryUsage().getUsed();
	}

}
