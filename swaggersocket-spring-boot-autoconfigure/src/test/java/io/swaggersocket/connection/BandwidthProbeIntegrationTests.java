package io.swaggersocket.connection;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.test.RawTcpWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer that takes a long link's round trip to answer the handshake is pinged as soon as
 * the connection opens, on either side, so that the window estimator knows the link's
 * round trip before the first DATA arrives (docs/PROTOCOL.md, section 7). The raw peer
 * holds its answer back for longer than a long link's round trip, as a 50 ms link would.
 */
class BandwidthProbeIntegrationTests {

	private static final Duration READ_WAIT = Duration.ofSeconds(5);

	/** Longer than {@link WindowGrowth#LONG_LINK_NANOS}: the raw peer's link. */
	private static final long LINK_MILLIS = 30;

	private static final TestApplications apps = new TestApplications();

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void theServerPingsAClientWhoseReadyTookALongLinksRoundTrip() throws Exception {
		ConfigurableApplicationContext server = apps.server();
		try (RawTcpWebSocket client = RawTcpWebSocket.connect(URI.create(socketUrl(server)), READ_WAIT)) {
			client.send(new Frame.Hello("{\"metadata\":{}}"));
			assertThat(client.receive()).isInstanceOf(Frame.Welcome.class);
			Thread.sleep(LINK_MILLIS);
			client.send(new Frame.Ready());
			assertThat(client.receivePing()).satisfies(BandwidthProbeIntegrationTests::isEstimatorPing);
		}
	}

	@Test
	void theClientPingsAServerWhoseWelcomeTookALongLinksRoundTrip() throws Exception {
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			apps.client("ws://127.0.0.1:" + listener.getLocalPort() + "/swaggersocket");
			try (RawTcpWebSocket server = RawTcpWebSocket.accept(listener, READ_WAIT)) {
				assertThat(server.receive()).isInstanceOf(Frame.Hello.class);
				Thread.sleep(LINK_MILLIS);
				server.send(new Frame.Welcome("{\"connectionId\":\"c-1\",\"settings\":{}}"));
				assertThat(server.receive()).isInstanceOf(Frame.Ready.class);
				assertThat(server.receivePing()).satisfies(BandwidthProbeIntegrationTests::isEstimatorPing);
			}
		}
	}

	private static void isEstimatorPing(byte[] payload) {
		assertThat(BdpEstimator.isEstimatorPayload(payload))
			.as("ping payload %s",
					new String(Arrays.copyOf(payload, Math.min(6, payload.length)), StandardCharsets.US_ASCII))
			.isTrue();
	}

}
