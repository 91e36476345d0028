package io.swaggersocket.connection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heartbeat between two real applications, through a loopback proxy that can freeze
 * traffic.
 */
class HeartbeatIntegrationTests {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	private static final String[] HEARTBEAT = { "swaggersocket.heartbeat.interval=200ms",
			"swaggersocket.heartbeat.timeout=1s" };

	private final TestApplications apps = new TestApplications();

	private FreezableTcpProxy proxy;

	@AfterEach
	void close() throws Exception {
		this.apps.close();
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void silentPeerIsDeclaredFailedOnBothEndsWithinTimeoutPlusOneInterval() throws Exception {
		ConfigurableApplicationContext server = this.apps.server(HEARTBEAT);
		this.proxy = new FreezableTcpProxy(TestApplications.port(server));
		ConfigurableApplicationContext client = this.apps.client(socketUrl(this.proxy.port()), HEARTBEAT);
		EventRecorder serverEvents = events(server);
		EventRecorder clientEvents = events(client);
		String id = serverEvents.await(SwaggerSocketConnectedEvent.class).getInfo().id();
		clientEvents.await(SwaggerSocketConnectedEvent.class);

		this.proxy.freeze();
		long frozenAt = System.nanoTime();

		Duration limit = TIMEOUT.plus(INTERVAL).plusMillis(300);
		await().atMost(limit)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> serverEvents.events(SwaggerSocketFailedEvent.class).size() == 1
					&& clientEvents.events(SwaggerSocketFailedEvent.class).size() == 1);
		Duration detectedAfter = Duration.ofNanos(System.nanoTime() - frozenAt);
		assertThat(detectedAfter).isLessThanOrEqualTo(limit);
		for (EventRecorder recorder : List.of(serverEvents, clientEvents)) {
			SwaggerSocketFailedEvent failed = recorder.events(SwaggerSocketFailedEvent.class).get(0);
			assertThat(failed.getInfo().id()).isEqualTo(id);
			assertThat(failed.getReason()).isEqualTo(FailureReason.HEARTBEAT_TIMEOUT);
			assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
			assertThat(recorder.events(SwaggerSocketClosedEvent.class)).isEmpty();
		}
		assertThat(registry(server).find(id)).isEmpty();
		assertThat(registry(client).find(id)).isEmpty();

		this.proxy.thaw();
		String newId = clientEvents.await(SwaggerSocketConnectedEvent.class, 2, Duration.ofSeconds(10)).getInfo().id();
		assertThat(newId).isNotEqualTo(id);
	}

	@Test
	void pingsAreAnsweredAndRoundTripIsRecordedAndCallbacksSeePayloads() {
		ConfigurableApplicationContext server = this.apps.server(HEARTBEAT);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server), withSources(HEARTBEAT));
		events(server).await(SwaggerSocketConnectedEvent.class);
		SwaggerSocketConnection onClient = events(client).await(SwaggerSocketConnectedEvent.class).getConnection();
		RecordingHeartbeatHandler handler = client.getBean(RecordingHeartbeatHandler.class);

		await().atMost(Duration.ofSeconds(5))
			.until(() -> onClient.lastRoundTrip() != null && !handler.pongs.isEmpty() && !handler.pings.isEmpty());

		assertThat(onClient.lastRoundTrip()).isPositive();
		assertThat(handler.pongs).allSatisfy((payload) -> assertThat(payload).isEqualTo("agent-ping"));
		// the server pings with the default, empty payload
		assertThat(handler.pings).allSatisfy((payload) -> assertThat(payload).isEmpty());
		SwaggerSocketConnection onServer = registry(server).list().get(0);
		await().atMost(Duration.ofSeconds(5)).until(() -> onServer.lastRoundTrip() != null);
		assertThat(onServer.isOpen()).isTrue();
	}

	private static String[] withSources(String... properties) {
		String[] all = java.util.Arrays.copyOf(properties, properties.length + 1);
		all[properties.length] = "spring.main.sources=" + HandlerConfiguration.class.getName();
		return all;
	}

	static class HandlerConfiguration {

		@Bean
		RecordingHeartbeatHandler recordingHeartbeatHandler() {
			return new RecordingHeartbeatHandler();
		}

	}

	static class RecordingHeartbeatHandler implements SwaggerSocketHeartbeatHandler {

		final List<String> pings = new CopyOnWriteArrayList<>();

		final List<String> pongs = new CopyOnWriteArrayList<>();

		@Override
		public byte[] pingPayload(ConnectionInfo connection) {
			return "agent-ping".getBytes();
		}

		@Override
		public void onPing(ConnectionInfo connection, byte[] payload) {
			this.pings.add(new String(payload));
		}

		@Override
		public void onPong(ConnectionInfo connection, byte[] payload, Duration roundTrip) {
			this.pongs.add(new String(payload));
		}

	}

}
