package io.swaggersocket.connection;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A manager times every connection, in the handshake and open, from its one periodic
 * sweep, and stops sweeping once its last connection has ended.
 */
class ConnectionTimersIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final TestApplications apps = new TestApplications();

	private final List<RawWebSocketClient> peers = new ArrayList<>();

	@AfterEach
	void close() {
		this.peers.forEach(RawWebSocketClient::close);
		this.apps.close();
	}

	@Test
	void connectionsShareOneSweepThatStopsWithTheLast() throws Exception {
		ConfigurableApplicationContext server = this.apps.server("swaggersocket.limits.handshake-timeout=1s",
				"swaggersocket.heartbeat.interval=200ms", "swaggersocket.heartbeat.timeout=1s");
		ConnectionTimers timers = server.getBean(ConnectionManager.class).timers();
		URI uri = URI.create(socketUrl(server));
		assertThat(timers.isSweeping()).isFalse();

		List<RawWebSocketClient> open = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			RawWebSocketClient peer = connect(uri);
			open.add(peer);
			peer.send(new Frame.Hello("{\"metadata\":{\"name\":\"idle-" + i + "\"}}"));
			peer.awaitFrame((frame) -> frame instanceof Frame.Welcome);
			peer.send(new Frame.Ready());
		}
		RawWebSocketClient silent = connect(uri);
		await().atMost(WAIT).until(() -> registry(server).size() == 3);
		assertThat(timers.size()).isEqualTo(4);
		assertThat(timers.isSweeping()).isTrue();

		// the sweep times the handshake out and keeps the open ones alive: the raw
		// peers answer its pings, well past the heartbeat timeout
		assertThat(silent.awaitCloseCode(WAIT)).isEqualTo(CloseCodes.HANDSHAKE_TIMEOUT);
		await().atMost(WAIT).until(() -> timers.size() == 3);
		await().during(Duration.ofMillis(1500))
			.atMost(WAIT)
			.until(() -> registry(server).size() == 3 && timers.size() == 3);

		open.forEach((peer) -> peer.sendClose(CloseCodes.NORMAL, "done"));
		await().atMost(WAIT).until(() -> registry(server).size() == 0 && timers.size() == 0);
		assertThat(timers.isSweeping()).isFalse();
	}

	private RawWebSocketClient connect(URI uri) {
		RawWebSocketClient peer = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL);
		this.peers.add(peer);
		return peer;
	}

}
