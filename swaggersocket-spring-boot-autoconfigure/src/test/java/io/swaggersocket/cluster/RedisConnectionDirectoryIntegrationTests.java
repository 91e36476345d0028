package io.swaggersocket.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketStreamRefusedException;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.port;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Several hubs and agents in one JVM share a directory in a real Redis server: who holds
 * which agent, found from any hub, withdrawn on close, expired when a hub dies, and put
 * right again after an outage of Redis.
 */
class RedisConnectionDirectoryIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(10);

	private static final String[] ACTUATOR = { "management.endpoints.web.exposure.include=swaggersocket,health",
			"management.endpoint.health.show-details=always" };

	private final TestApplications apps = new TestApplications();

	private RedisServer redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.startOnFreePort();
	}

	@AfterEach
	void close() {
		this.apps.close();
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void agentOnOneHubIsFoundFromAnotherAndWithdrawnWhenItCloses() {
		// a long time-to-live: what removes the entry below is the withdrawal, not expiry
		ConfigurableApplicationContext hubA = hub("a", "swaggersocket.cluster.entry-time-to-live=60s");
		ConfigurableApplicationContext hubB = hub("b", "swaggersocket.cluster.entry-time-to-live=60s");
		ConfigurableApplicationContext agent = this.apps.client(socketUrl(hubA),
				"swaggersocket.client.metadata.team=blue");
		String id = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();

		ConnectionLocation remote = await().atMost(PROMPTLY)
			.until(() -> directory(hubB).locate(id).block(), (found) -> found != null);
		assertThat(remote.hubId()).isEqualTo("a");
		assertThat(remote.hubUrl()).hasToString("http://127.0.0.1:" + port(hubA));
		assertThat(remote.local()).isFalse();
		assertThat(remote.metadata()).containsEntry("team", "blue");
		assertThat(directory(hubB).findByMetadata("team", "blue")
			.map(ConnectionLocation::connectionId)
			.collectList()
			.block()).containsExactly(id);
		ConnectionLocation local = directory(hubA).locate(id).block();
		assertThat(local.local()).isTrue();
		assertThat(local.hubId()).isEqualTo("a");

		agent.close();

		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() == null);
		assertThat(directory(hubB).findByMetadata("team", "blue").collectList().block()).isEmpty();
		assertThat(directory(hubB).list().collectList().block()).isEmpty();
	}

	@Test
	void entriesOfAHubThatStopsRefreshingWithoutWithdrawingExpireWithinTheTimeToLive() {
		ConfigurableApplicationContext hubA = hub("a", "swaggersocket.cluster.entry-time-to-live=2s",
				"swaggersocket.cluster.refresh-interval=500ms");
		ConfigurableApplicationContext hubB = hub("b");
		this.apps.client(socketUrl(hubA), "swaggersocket.client.metadata.team=red");
		String id = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() != null);

		// as if killed with kill -9: neither refresh nor withdrawal any more
		((RedisConnectionDirectory) directory(hubA)).halt();

		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() == null);
		assertThat(directory(hubB).findByMetadata("team", "red").collectList().block()).isEmpty();
		assertThat(directory(hubB).list().collectList().block()).isEmpty();
		// the hub's entry hides its connections' at once; theirs, refreshed a moment
		// later, expire a moment later
		await().atMost(PROMPTLY)
			.until(() -> this.redis.command("EXISTS", "{swaggersocket}:hub:a", "{swaggersocket}:connection:" + id),
					(reply) -> reply.equals(":0\r\n"));
		// the connection itself lives on: only its entry expired
		assertThat(TestApplications.registry(hubA).find(id)).isPresent();
	}

	@Test
	void metadataLookUpsFindMatchingConnectionsAcrossHubsAndNeverEndedOnes() {
		ConfigurableApplicationContext hubA = hub("a");
		ConfigurableApplicationContext hubB = hub("b");
		ConfigurableApplicationContext euOnA = this.apps.client(socketUrl(hubA),
				"swaggersocket.client.metadata.region=eu", "swaggersocket.client.metadata.name=one");
		this.apps.client(socketUrl(hubB), "swaggersocket.client.metadata.region=eu",
				"swaggersocket.client.metadata.name=two");
		this.apps.client(socketUrl(hubB), "swaggersocket.client.metadata.region=us",
				"swaggersocket.client.metadata.name=three");
		events(hubA).await(SwaggerSocketConnectedEvent.class);
		events(hubB).await(SwaggerSocketConnectedEvent.class, 2, PROMPTLY);

		for (ConfigurableApplicationContext hub : List.of(hubA, hubB)) {
			await().atMost(PROMPTLY)
				.untilAsserted(() -> assertThat(names(directory(hub).findByMetadata("region", "eu")))
					.containsExactlyInAnyOrder("one", "two"));
			assertThat(names(directory(hub).findByMetadata("region", "us"))).containsExactly("three");
			assertThat(names(directory(hub).findByMetadata("region", "asia"))).isEmpty();
			assertThat(names(directory(hub).list())).containsExactlyInAnyOrder("one", "two", "three");
		}

		// an index member without an entry (withdrawn without its metadata, or left by a
		// crash) is never returned
		assertThat(this.redis.command("ZADD", "{swaggersocket}:metadata:region=eu", "99999999999999", "ghost"))
			.isEqualTo(":1\r\n");
		assertThat(names(directory(hubB).findByMetadata("region", "eu"))).containsExactlyInAnyOrder("one", "two");

		euOnA.close();

		await().atMost(PROMPTLY)
			.untilAsserted(
					() -> assertThat(names(directory(hubB).findByMetadata("region", "eu"))).containsExactly("two"));
		assertThat(names(directory(hubA).findByMetadata("region", "eu"))).containsExactly("two");
	}

	@Test
	void whileRedisIsDownLocalLookUpsWorkRemoteOnesFailFastAndHealthIsDownUntilItIsBack() {
		ConfigurableApplicationContext hubA = hub("a", join(ACTUATOR, "swaggersocket.cluster.refresh-interval=300ms"));
		ConfigurableApplicationContext hubB = hub("b", join(ACTUATOR, "swaggersocket.cluster.refresh-interval=300ms"));
		this.apps.client(socketUrl(hubA), "swaggersocket.client.metadata.team=green");
		String id = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() != null);
		assertThat(clusterHealth(hubA)).containsEntry("status", "UP");

		this.redis.stop();

		await().atMost(PROMPTLY).until(() -> "DOWN".equals(clusterHealth(hubA).get("status")));
		assertThat(directory(hubA).locate(id).block(Duration.ofSeconds(1)).local()).isTrue();
		assertThatThrownBy(() -> directory(hubB).locate(id).block(Duration.ofSeconds(10)))
			.isInstanceOf(SwaggerSocketClusterUnavailableException.class);
		assertThatThrownBy(
				() -> directory(hubB).findByMetadata("team", "green").collectList().block(Duration.ofSeconds(10)))
			.isInstanceOf(SwaggerSocketClusterUnavailableException.class);
		// this hub's own connection comes first, then the failure
		assertThat(directory(hubA).findByMetadata("team", "green")
			.map(ConnectionLocation::connectionId)
			.onErrorResume(SwaggerSocketClusterUnavailableException.class, (ex) -> Flux.just("unavailable"))
			.collectList()
			.block(Duration.ofSeconds(10))).containsExactly(id, "unavailable");

		// the same port, empty: everything must be published again
		this.redis.start();

		await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(clusterHealth(hubA).get("status")));
		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() != null);
		assertThat(directory(hubB).locate(id).block().hubId()).isEqualTo("a");
	}

	@Test
	void connectionsThatCameAndWentWhileRedisWasUnreachableAreRightOnceItAnswersAgain() throws Exception {
		try (FreezableTcpProxy toRedis = new FreezableTcpProxy(this.redis.port())) {
			// a long time-to-live: what removes the ended connection is the
			// reconciliation
			ConfigurableApplicationContext hubA = hub("a", "spring.data.redis.url=redis://127.0.0.1:" + toRedis.port(),
					"swaggersocket.cluster.entry-time-to-live=60s", "swaggersocket.cluster.refresh-interval=300ms");
			ConfigurableApplicationContext hubB = hub("b", "swaggersocket.cluster.entry-time-to-live=60s");
			ConfigurableApplicationContext one = this.apps.client(socketUrl(hubA),
					"swaggersocket.client.metadata.name=one");
			String oneId = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();
			await().atMost(PROMPTLY).until(() -> directory(hubB).locate(oneId).block() != null);
			RedisConnectionDirectory directoryA = (RedisConnectionDirectory) directory(hubA);

			toRedis.freeze();
			await().atMost(PROMPTLY).until(() -> !directoryA.status().available());
			one.close();
			this.apps.client(socketUrl(hubA), "swaggersocket.client.metadata.name=two");
			String twoId = events(hubA).await(SwaggerSocketConnectedEvent.class, 2, PROMPTLY).getConnection().id();
			assertThat(directory(hubB).locate(oneId).block()).isNotNull();
			assertThat(directory(hubB).locate(twoId).block()).isNull();

			toRedis.thaw();

			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(names(directory(hubB).list())).containsExactly("two"));
			assertThat(directoryA.status().available()).isTrue();
			assertThat(directory(hubB).locate(oneId).block()).isNull();
			assertThat(this.redis.command("EXISTS", "{swaggersocket}:connection:" + oneId)).isEqualTo(":0\r\n");
			assertThat(directory(hubB).findByMetadata("name", "one").collectList().block()).isEmpty();
			// while it can still reach Redis to withdraw
			hubA.close();
		}
	}

	@Test
	void stopLetsTheRefreshUnderWayEndBeforeItWithdraws() throws Exception {
		try (FreezableTcpProxy toRedis = new FreezableTcpProxy(this.redis.port())) {
			LettuceConnectionFactory redisClient = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", toRedis.port()));
			redisClient.afterPropertiesSet();
			redisClient.start();
			try {
				// a command timeout that outlasts the freeze: the refresh must not fail
				// by it before the test lets Redis answer
				RedisConnectionDirectory directory = new RedisConnectionDirectory(
						new ReactiveStringRedisTemplate(redisClient), new SwaggerSocketConnections(), "a",
						() -> URI.create("http://127.0.0.1:1"), Duration.ofSeconds(60), Duration.ofSeconds(20),
						"{swaggersocket}", Duration.ofSeconds(30));
				// Redis answers nothing yet: the first refresh waits, connecting
				toRedis.freeze();
				directory.start();
				await().atMost(PROMPTLY).until(() -> toRedis.connections() > 0);
				assertThat(directory.status().lastRefresh()).isNull();

				CountDownLatch stopped = new CountDownLatch(1);
				directory.stop(stopped::countDown);
				toRedis.thaw();

				assertThat(stopped.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
				// cancelled instead, the refresh left Lettuce connecting while the
				// application went on to shut its client down
				assertThat(directory.status().lastRefresh()).as("the refresh under way ended").isNotNull();
				assertThat(this.redis.command("EXISTS", "{swaggersocket}:hub:a")).as("withdrawn after it")
					.isEqualTo(":0\r\n");
			}
			finally {
				// before the proxy goes: a connection it cut would have Lettuce redial
				// while its client shuts down
				redisClient.destroy();
			}
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void actuatorShowsWhichHubHoldsWhichConnection() {
		ConfigurableApplicationContext hubA = hub("a", ACTUATOR);
		ConfigurableApplicationContext hubB = hub("b", ACTUATOR);
		// a hub without agents is shown too
		ConfigurableApplicationContext hubC = hub("c");
		this.apps.client(socketUrl(hubA), "swaggersocket.client.metadata.team=blue");
		String id = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		await().atMost(PROMPTLY).until(() -> directory(hubB).locate(id).block() != null);
		RedisConnectionDirectory directoryB = (RedisConnectionDirectory) directory(hubB);
		await().atMost(PROMPTLY)
			.until(() -> directoryB.hubs().map(RedisConnectionDirectory.Hub::hubId).collectList().block(),
					(ids) -> ids.contains("c"));

		Map<String, Object> body = http(hubB).get()
			.uri("/actuator/swaggersocket")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));

		assertThat((List<Object>) body.get("connections")).isEmpty();
		Map<String, Object> cluster = (Map<String, Object>) body.get("cluster");
		assertThat(cluster).containsEntry("hubId", "b")
			.containsEntry("hubUrl", "http://127.0.0.1:" + port(hubB))
			.doesNotContainKey("unavailable");
		List<Map<String, Object>> hubs = (List<Map<String, Object>>) cluster.get("hubs");
		assertThat(hubs).extracting((hub) -> hub.get("hubId")).containsExactly("a", "b", "c");
		assertThat(hubs.get(0)).containsEntry("url", "http://127.0.0.1:" + port(hubA));
		List<Map<String, Object>> held = (List<Map<String, Object>>) hubs.get(0).get("connections");
		assertThat(held).singleElement().satisfies((connection) -> {
			assertThat(connection).containsEntry("id", id).containsEntry("metadata", Map.of("team", "blue"));
			assertThat(connection).containsKey("connectedAt");
		});
		assertThat((List<Object>) hubs.get(1).get("connections")).isEmpty();
		assertThat(hubs.get(2)).containsEntry("url", "http://127.0.0.1:" + port(hubC))
			.containsEntry("connections", List.of());
	}

	@Test
	void gracefulShutdownWithdrawsTheHubBeforeItsAgentsGetGoAway() throws Exception {
		ConfigurableApplicationContext hubA = hub("a", "spring.lifecycle.timeout-per-shutdown-phase=20s");
		ConfigurableApplicationContext agent = this.apps.client(socketUrl(hubA));
		SwaggerSocketConnection serverSide = events(hubA).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(agent).await(SwaggerSocketConnectedEvent.class);
		String id = serverSide.id();
		await().atMost(PROMPTLY)
			.until(() -> this.redis.command("EXISTS", "{swaggersocket}:hub:a", "{swaggersocket}:connection:" + id),
					(reply) -> reply.equals(":2\r\n"));
		WebClient toHub = agent.getBean(SwaggerSocketWebClients.class).server();
		// an in-flight call keeps the hub draining after GOAWAY
		Mono<String> slow = toHub.get().uri("/mvc/delay?ms=3000").retrieve().bodyToMono(String.class).cache();
		slow.subscribe();
		await().atMost(PROMPTLY).until(() -> serverSide.activeStreams() == 1);

		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(hubA::close);

		// the first refused call shows the agent has the GOAWAY: by then Redis has
		// nothing of this hub any more
		await().atMost(PROMPTLY).until(() -> refused(toHub));
		assertThat(this.redis.command("EXISTS", "{swaggersocket}:hub:a", "{swaggersocket}:connection:" + id))
			.isEqualTo(":0\r\n");
		assertThat(this.redis.command("ZCARD", "{swaggersocket}:connections")).isEqualTo(":0\r\n");
		assertThat(shutdown).isNotDone();
		assertThat(slow.block(Duration.ofSeconds(15))).isEqualTo("done after 3000");
		shutdown.get();
	}

	private static boolean refused(WebClient toHub) {
		Throwable failure = toHub.get()
			.uri("/fn/echo?q=late")
			.retrieve()
			.bodyToMono(String.class)
			.map((body) -> (Throwable) null)
			.onErrorResume((ex) -> Mono.just(Causes.root(ex)))
			.block(Duration.ofSeconds(5));
		return failure instanceof SwaggerSocketStreamRefusedException;
	}

	private ConfigurableApplicationContext hub(String hubId, String... properties) {
		return this.apps.server(this.redis.hubProperties(join(properties, "swaggersocket.cluster.hub-id=" + hubId)));
	}

	private static String[] join(String[] properties, String... more) {
		return Flux.concat(Flux.fromArray(properties), Flux.fromArray(more))
			.collectList()
			.block()
			.toArray(String[]::new);
	}

	private static ConnectionDirectory directory(ConfigurableApplicationContext hub) {
		return hub.getBean(ConnectionDirectory.class);
	}

	private static List<Object> names(Flux<ConnectionLocation> locations) {
		return locations.map((location) -> location.metadata().get("name")).collectList().block(Duration.ofSeconds(10));
	}

	private static WebClient http(ConfigurableApplicationContext context) {
		return WebClient.create("http://127.0.0.1:" + port(context));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> clusterHealth(ConfigurableApplicationContext hub) {
		Map<String, Object> health = http(hub).get()
			.uri("/actuator/health")
			.exchangeToMono((response) -> response.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(Duration.ofSeconds(10));
		return (Map<String, Object>) ((Map<String, Object>) health.get("components")).get("swaggerSocketCluster");
	}

}
