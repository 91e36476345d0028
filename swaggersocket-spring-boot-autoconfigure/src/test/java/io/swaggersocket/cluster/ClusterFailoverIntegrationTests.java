package io.swaggersocket.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.test.HubProcess;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TcpLoadBalancer;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster of hubs on a real Redis server behind a load balancer, losing a hub: killed
 * with SIGKILL (its entries expire, its agents redial and are reachable from every hub),
 * or shut down gracefully (its entries are withdrawn first, the calls in flight finish).
 */
class ClusterFailoverIntegrationTests {

	private static final Duration TTL = Duration.ofSeconds(3);

	private final TestApplications apps = new TestApplications();

	private final List<AutoCloseable> resources = new ArrayList<>();

	private RedisServer redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.startOnFreePort();
	}

	@AfterEach
	void close() throws Exception {
		this.apps.close();
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		this.redis.close();
	}

	@Test
	void agentsOfAHubKilledWithSigkillRedialAndAreReachableFromEveryHub() throws IOException {
		HubProcess hubA = HubProcess.start(hub("a"));
		this.resources.add(hubA);
		ConfigurableApplicationContext hubB = this.apps.server(hub("b"));
		ConfigurableApplicationContext hubC = this.apps.server(hub("c"));
		// the balancer tries hub A first
		TcpLoadBalancer balancer = new TcpLoadBalancer(List.of(hubA.port(), port(hubB)));
		this.resources.add(balancer);
		this.apps.client(balancer.socketUrl(), "swaggersocket.client.metadata.name=agent-1");
		ConnectionDirectory fromC = hubC.getBean(ConnectionDirectory.class);
		ConnectionLocation before = await().atMost(Duration.ofSeconds(20))
			.until(() -> agent(fromC), (location) -> location != null);
		assertThat(before.hubId()).isEqualTo("a");
		assertThat(get(hubC, before.connectionId())).isEqualTo(200);

		hubA.kill();

		// the agent redials through the balancer and lands on hub B; within the entries'
		// time to live and its reconnect time, every hub reaches it there
		ConnectionLocation after = await().atMost(TTL.plusSeconds(20))
			.until(() -> agent(fromC), (location) -> location != null && location.hubId().equals("b"));
		assertThat(get(hubC, after.connectionId())).isEqualTo(200);
		assertThat(get(hubB, after.connectionId())).isEqualTo(200);
		// the dead hub's entries expire: its old connection is gone from every view
		await().atMost(TTL.plusSeconds(10))
			.untilAsserted(() -> assertThat(fromC.list().collectList().block())
				.noneMatch((location) -> location.hubId().equals("a")));
		assertThat(fromC.locate(before.connectionId()).blockOptional()).isEmpty();
		assertThat(get(hubC, before.connectionId())).isEqualTo(404);
		// lifecycle events stay on the hub that holds the connection
		assertThat(events(hubB).events(SwaggerSocketConnectedEvent.class)).hasSize(1);
		assertThat(events(hubC).events()).isEmpty();
	}

	@Test
	void aHubShutDownGracefullyWithdrawsItsAgentsAndLetsTheCallsInFlightFinish() throws IOException {
		ConfigurableApplicationContext hubA = this.apps
			.server(hub("a", "spring.lifecycle.timeout-per-shutdown-phase=20s"));
		ConfigurableApplicationContext hubB = this.apps.server(hub("b"));
		TcpLoadBalancer balancer = new TcpLoadBalancer(List.of(port(hubA), port(hubB)));
		this.resources.add(balancer);
		this.apps.client(balancer.socketUrl(), "swaggersocket.client.metadata.name=agent-1");
		events(hubA).await(SwaggerSocketConnectedEvent.class);
		ConnectionDirectory fromB = hubB.getBean(ConnectionDirectory.class);
		ConnectionLocation before = await().atMost(Duration.ofSeconds(20))
			.until(() -> agent(fromB), (location) -> location != null);
		assertThat(before.hubId()).isEqualTo("a");

		WebClient gatewayB = gateway(hubB);
		CompletableFuture<List<Integer>> inFlight = Flux.range(0, 20)
			.flatMap((i) -> gatewayB.get()
				.uri("/peers/{id}/mvc/delay?ms=2000", before.connectionId())
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())))
			.collectList()
			.toFuture();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> hubA.getBean(io.swaggersocket.connection.SwaggerSocketConnections.class)
				.find(before.connectionId())
				.map((connection) -> connection.activeStreams() == 20)
				.orElse(false));

		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(hubA::close);

		assertThat(inFlight.join()).hasSize(20).containsOnly(200);
		shutdown.join();
		ConnectionLocation after = await().atMost(Duration.ofSeconds(20))
			.until(() -> agent(fromB), (location) -> location != null && location.hubId().equals("b"));
		assertThat(get(hubB, after.connectionId())).isEqualTo(200);
		assertThat(fromB.list().collectList().block()).noneMatch((location) -> location.hubId().equals("a"));
	}

	@Test
	void aStaleEntryInRedisIsAnsweredNotHereByItsHubAndEndsIn404WithoutReachingAnAgent() {
		ConfigurableApplicationContext hubA = this.apps.server(hub("a"));
		ConfigurableApplicationContext hubB = this.apps.server(hub("b"));
		this.apps.client(TestApplications.socketUrl(hubA), "swaggersocket.client.metadata.name=agent-1");
		ConnectionDirectory fromB = hubB.getBean(ConnectionDirectory.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> agent(fromB), (location) -> location != null);
		// an entry that names hub A for a connection hub A does not hold, as one that
		// outlived its connection would
		this.redis.command("SET", "{swaggersocket}:connection:gone",
				"{\"connectionId\":\"gone\",\"metadata\":{},\"hubId\":\"a\",\"connectedAt\":\"2026-01-01T00:00:00Z\"}",
				"PX", "60000");
		assertThat(fromB.locate("gone").blockOptional()).hasValueSatisfying((location) -> {
			assertThat(location.hubId()).isEqualTo("a");
			assertThat(location.local()).isFalse();
		});

		assertThat(get(hubB, "gone")).isEqualTo(404);
	}

	@Test
	void whileRedisIsDownLocalCallsWorkCrossHubCallsFailFastWith503AndItAllComesBackWithRedis() {
		ConfigurableApplicationContext hubA = this.apps.server(hub("a"));
		ConfigurableApplicationContext hubB = this.apps.server(hub("b"));
		this.apps.client(TestApplications.socketUrl(hubA), "swaggersocket.client.metadata.name=agent-1");
		this.apps.client(TestApplications.socketUrl(hubB), "swaggersocket.client.metadata.name=agent-2");
		ConnectionDirectory fromB = hubB.getBean(ConnectionDirectory.class);
		ConnectionLocation onA = await().atMost(Duration.ofSeconds(20))
			.until(() -> agent(fromB), (location) -> location != null);
		String onB = events(hubB).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		assertThat(get(hubB, onA.connectionId())).isEqualTo(200);

		this.redis.stop();

		// the first look-up may wait for the command timeout; then they fail at once
		await().atMost(Duration.ofSeconds(20)).until(() -> get(hubB, onA.connectionId()) == 503);
		assertThat(get(hubB, onB)).isEqualTo(200);
		assertThat(get(hubA, onA.connectionId())).isEqualTo(200);

		this.redis.start();

		// republished without a restart: hub B reaches hub A's agent again
		await().atMost(Duration.ofSeconds(30)).until(() -> get(hubB, onA.connectionId()) == 200);
	}

	private String[] hub(String id, String... more) {
		List<String> properties = new ArrayList<>(List.of("swaggersocket.cluster.hub-id=" + id,
				"swaggersocket.cluster.entry-time-to-live=" + TTL.toMillis() + "ms",
				"swaggersocket.cluster.refresh-interval=500ms", "swaggersocket.server.gateway.enabled=true"));
		properties.addAll(List.of(more));
		return this.redis.hubProperties(properties.toArray(String[]::new));
	}

	private static ConnectionLocation agent(ConnectionDirectory directory) {
		List<ConnectionLocation> found = directory.findByMetadata("name", "agent-1").collectList().block();
		return (found != null && found.size() == 1) ? found.get(0) : null;
	}

	private static WebClient gateway(ConfigurableApplicationContext hub) {
		return WebClient.create("http://127.0.0.1:" + port(hub));
	}

	private static int get(ConfigurableApplicationContext hub, String connectionId) {
		ResponseEntity<Void> response = gateway(hub).get()
			.uri("/peers/{id}/mvc/echo?q=x", connectionId)
			.retrieve()
			.onStatus((status) -> true, (r) -> reactor.core.publisher.Mono.empty())
			.toBodilessEntity()
			.block(Duration.ofSeconds(10));
		return response.getStatusCode().value();
	}

}
