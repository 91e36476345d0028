package io.swaggersocket.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.port;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub reuses the location of another hub's agent for a moment after finding it in
 * Redis; a stale one (the agent moved, ended, or its hub is gone) costs one refused hop
 * and one fresh look-up, never a wrong agent or a failed call that a fresh look-up would
 * have saved. Against a real Redis: hub A holds the agent, calls come in through hub B,
 * and hub C holds nothing.
 */
class RemoteLocationCacheIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(10);

	/** Long enough that the stale entry a test plants is still there when it calls. */
	private static final long PLANTED_NANOS = Duration.ofMinutes(5).toNanos();

	private final TestApplications apps = new TestApplications();

	private RedisServer redis;

	private ConfigurableApplicationContext hubA;

	private ConfigurableApplicationContext hubB;

	private ConfigurableApplicationContext hubC;

	private String agentId;

	@BeforeEach
	void start() {
		this.redis = RedisServer.startOnFreePort();
		this.hubA = hub("a");
		this.hubB = hub("b");
		this.hubC = hub("c");
		this.apps.client(socketUrl(this.hubA));
		this.agentId = events(this.hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		await().atMost(PROMPTLY).until(() -> directory(this.hubB).locate(this.agentId).block() != null);
	}

	@AfterEach
	void close() {
		this.apps.close();
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void aLocationFoundInRedisIsReusedForCallsAndALookUpReadsRedisAndReplacesOrForgetsIt() {
		RedisConnectionDirectory fromB = directory(this.hubB);
		fromB.remoteLocations().remove(this.agentId);

		ConnectionLocation found = fromB.locateForCall(this.agentId).block();

		assertThat(found.hubId()).isEqualTo("a");
		assertThat(fromB.remoteLocations().get(this.agentId)).isEqualTo(found);
		plant(fromB, this.agentId, "c", url(this.hubC));
		assertThat(fromB.locateForCall(this.agentId).block().hubId()).isEqualTo("c");
		assertThat(fromB.locate(this.agentId).block().hubId()).isEqualTo("a");
		assertThat(fromB.remoteLocations().get(this.agentId).hubId()).isEqualTo("a");

		assertThat(this.redis.command("DEL", "{swaggersocket}:connection:" + this.agentId)).isEqualTo(":1\r\n");
		assertThat(fromB.locate(this.agentId).blockOptional()).isEmpty();
		assertThat(fromB.remoteLocations().get(this.agentId)).isNull();
		assertThat(fromB.locateForCall(this.agentId).blockOptional()).isEmpty();
	}

	@Test
	void hubsOwnConnectionsAreNeverAnsweredFromWhatWasKept() {
		RedisConnectionDirectory fromA = directory(this.hubA);
		plant(fromA, this.agentId, "c", url(this.hubC));

		ConnectionLocation found = fromA.locateForCall(this.agentId).block();

		assertThat(found.local()).isTrue();
		assertThat(found.hubId()).isEqualTo("a");
	}

	@Test
	void gatewayFollowsAConnectionThatACachedLocationPlacesOnAHubThatDoesNotHoldIt() {
		plant(directory(this.hubB), this.agentId, "c", url(this.hubC));

		assertThat(status(this.hubB, this.agentId)).isEqualTo(200);
		assertThat(directory(this.hubB).remoteLocations().get(this.agentId).hubId()).isEqualTo("a");
	}

	@Test
	void webClientFollowsAConnectionThatACachedLocationPlacesOnAHubThatDoesNotHoldIt() {
		plant(directory(this.hubB), this.agentId, "c", url(this.hubC));

		String answer = this.hubB.getBean(SwaggerSocketWebClients.class)
			.webClient(this.agentId)
			.get()
			.uri("/mvc/echo?q=moved")
			.retrieve()
			.bodyToMono(String.class)
			.block(PROMPTLY);

		assertThat(answer).contains("moved");
		assertThat(directory(this.hubB).remoteLocations().get(this.agentId).hubId()).isEqualTo("a");
	}

	@Test
	void gatewayAnswers404ForAConnectionThatEndedAlthoughItsLocationIsCached() {
		plant(directory(this.hubB), "ended", "a", url(this.hubA));

		assertThat(status(this.hubB, "ended")).isEqualTo(404);
		assertThat(directory(this.hubB).remoteLocations().get("ended")).isNull();
	}

	@Test
	void gatewayLooksUpAfreshWhenTheHubOfACachedLocationCannotBeReached() throws IOException {
		// a hub that shut down after its agent's location was kept: nothing listens there
		plant(directory(this.hubB), this.agentId, "gone", URI.create("http://127.0.0.1:" + closedPort()));

		assertThat(status(this.hubB, this.agentId)).isEqualTo(200);
	}

	@Test
	void webClientLooksUpAfreshWhenTheHubOfACachedLocationCannotBeReached() throws IOException {
		plant(directory(this.hubB), this.agentId, "gone", URI.create("http://127.0.0.1:" + closedPort()));

		String answer = this.hubB.getBean(SwaggerSocketWebClients.class)
			.webClient(this.agentId)
			.get()
			.uri("/mvc/echo?q=again")
			.retrieve()
			.bodyToMono(String.class)
			.block(PROMPTLY);

		assertThat(answer).contains("again");
	}

	private ConfigurableApplicationContext hub(String id) {
		return this.apps.server(this.redis.hubProperties("swaggersocket.cluster.hub-id=" + id,
				"swaggersocket.cluster.entry-time-to-live=60s", "swaggersocket.server.gateway.enabled=true"));
	}

	private static RedisConnectionDirectory directory(ConfigurableApplicationContext hub) {
		return hub.getBean(RedisConnectionDirectory.class);
	}

	private static URI url(ConfigurableApplicationContext hub) {
		return URI.create("http://127.0.0.1:" + port(hub));
	}

	/** Make a hub's directory remember a location that Redis does not have. */
	private static void plant(RedisConnectionDirectory directory, String connectionId, String hubId, URI hubUrl) {
		directory.remoteLocations()
			.put(new ConnectionLocation(connectionId, Map.of(), hubId, hubUrl, Instant.now(), false), PLANTED_NANOS);
	}

	private static int status(ConfigurableApplicationContext hub, String connectionId) {
		ResponseEntity<Void> response = WebClient.create("http://127.0.0.1:" + port(hub))
			.get()
			.uri("/peers/{id}/mvc/echo?q=x", connectionId)
			.retrieve()
			.onStatus((status) -> true, (r) -> reactor.core.publisher.Mono.empty())
			.toBodilessEntity()
			.block(PROMPTLY);
		return response.getStatusCode().value();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
