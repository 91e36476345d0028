package io.swaggersocket.connection;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import io.netty.util.NettyRuntime;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.ParkedPublishers;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.server.ServerResponse;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swaggersocket.spread-handling=when-busy}: a connection's requests are handled on
 * the event loop that reads it while fewer than {@link SpreadHandling#INLINE_LIMIT} of
 * them are being handled there, and handed to the other loops beyond that.
 */
class SpreadHandlingIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static URI uri;

	@BeforeAll
	static void startServer() {
		server = apps.server("swaggersocket.spread-handling=when-busy");
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stopServer() {
		apps.close();
	}

	@AfterEach
	void everyConnectionIsGone() {
		await().atMost(TIMEOUT).until(() -> registry(server).list().isEmpty());
	}

	@Test
	void handsRequestsOffOnlyWhileTheConnectionsLoopHandlesTwo() throws Exception {
		try (BareWebSocket peer = BareWebSocket.connect(uri, TIMEOUT)) {
			peer.handshake("{\"metadata\":{\"name\":\"busy\"}}");
			// the first request, alone, runs on the loop that reads the connection
			ParkedPublishers.Parked<ServerResponse> first = open(peer, 1);
			Thread connectionLoop = first.subscribedOn();
			ParkedPublishers.Parked<ServerResponse> second = open(peer, 3);
			assertThat(second.subscribedOn()).as("second request, with one under way").isSameAs(connectionLoop);
			// two under way there: the next ones go to the loops in turn, so some to
			// another loop than the connection's
			List<Thread> handedOff = new ArrayList<>();
			for (int id = 5; id <= 19; id += 2) {
				handedOff.add(open(peer, id).subscribedOn());
			}
			assertThat(handedOff).as("requests beyond two").anyMatch((thread) -> thread != connectionLoop);
			// to no more loops than processors, the connection's own among them: Reactor
			// Netty runs four loops or more whatever the processor count
			assertThat(new HashSet<>(handedOff)).as("loops the requests beyond two went to")
				.contains(connectionLoop)
				.hasSizeLessThanOrEqualTo(NettyRuntime.availableProcessors());
			// once the two end (reset: their handling is cancelled as the reader reads
			// the RESET, before the next HEADERS), the connection's loop takes requests
			// again
			peer.send(new Frame.Reset(1, ErrorCode.CANCEL));
			peer.send(new Frame.Reset(3, ErrorCode.CANCEL));
			ParkedPublishers.Parked<ServerResponse> later = open(peer, 21);
			assertThat(first.cancelledOn()).isSameAs(connectionLoop);
			assertThat(second.cancelledOn()).isSameAs(connectionLoop);
			assertThat(later.subscribedOn()).as("a request once the two ended").isSameAs(connectionLoop);
		}
	}

	private static ParkedPublishers.Parked<ServerResponse> open(BareWebSocket peer, int id) throws Exception {
		String key = "busy-" + UUID.randomUUID();
		ParkedPublishers.Parked<ServerResponse> parked = ParkedPublishers.get(key);
		peer.send(new Frame.Headers(id, true,
				new ArrayList<>(List.of(new Header(Header.METHOD, "GET"), new Header(Header.PATH, "/parked/" + key)))));
		assertThat(parked.awaitSubscribed(TIMEOUT)).as("handler of stream " + id + " subscribed").isTrue();
		return parked;
	}

}
