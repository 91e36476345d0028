package io.swaggersocket.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Concurrent look-ups of what a hub has not kept share one read of Redis: calls to one
 * remote agent read its entry once, and look-ups of a hub's agents read that hub's entry
 * once, however many are in flight. Against a real Redis, whose {@code MONITOR} counts
 * the reads: hub A holds the agents, hub B looks them up through a proxy that holds
 * Redis's answers back until every look-up is under way.
 */
class SharedDirectoryReadsIntegrationTests {

	private static final Duration PROMPTLY = Duration.ofSeconds(10);

	private static final RedisDirectoryKeys KEYS = new RedisDirectoryKeys("swaggersocket");

	private final TestApplications apps = new TestApplications();

	private final List<String> agentIds = new ArrayList<>();

	private RedisServer redis;

	private FreezableTcpProxy toRedis;

	private RedisCommandLog commands;

	private ConfigurableApplicationContext hubA;

	private RedisConnectionDirectory fromB;

	@BeforeEach
	void start() throws IOException {
		this.redis = RedisServer.startOnFreePort();
		this.toRedis = new FreezableTcpProxy(this.redis.port());
		this.hubA = this.apps.server(this.redis.hubProperties("swaggersocket.cluster.hub-id=a",
				"swaggersocket.cluster.entry-time-to-live=60s"));
		ConfigurableApplicationContext hubB = this.apps.server(this.redis.hubProperties(
				"swaggersocket.cluster.hub-id=b", "swaggersocket.cluster.entry-time-to-live=60s",
				"spring.data.redis.url=redis://127.0.0.1:" + this.toRedis.port()));
		this.fromB = hubB.getBean(RedisConnectionDirectory.class);
		await().atMost(PROMPTLY).until(() -> exists(KEYS.hub("a")));
		this.commands = RedisCommandLog.start(this.redis);
	}

	@AfterEach
	void close() throws IOException {
		this.apps.close();
		if (this.commands != null) {
			this.commands.close();
		}
		if (this.toRedis != null) {
			this.toRedis.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void concurrentCallsToARemoteAgentWithNothingKeptReadItsEntryOnce() {
		String agent = agents(1).get(0);

		List<ConnectionLocation> found = whileAnswersAreHeld(1,
				() -> Flux.range(0, 64).flatMap((i) -> this.fromB.locateForCall(agent), 64).collectList());

		assertThat(found).hasSize(64).allSatisfy((location) -> assertThat(location.hubId()).isEqualTo("a"));
		this.commands.sync();
		assertThat(this.commands.gets(KEYS.connection(agent))).isEqualTo(1);
		assertThat(this.fromB.remoteLocations().get(agent)).isEqualTo(found.get(0));
	}

	@Test
	void concurrentLookUpsOfAHubsAgentsReadTheHubsEntryOnce() {
		List<String> agents = agents(4);

		// every connection's entry is read before any answer comes back: each look-up
		// then needs hub A's entry at the same moment
		List<ConnectionLocation> found = whileAnswersAreHeld(agents.size(),
				() -> Flux.fromIterable(agents).flatMap(this.fromB::locateForCall).collectList());

		assertThat(found).extracting(ConnectionLocation::connectionId).containsExactlyInAnyOrderElementsOf(agents);
		this.commands.sync();
		assertThat(this.commands.gets(KEYS.hub("a"))).isEqualTo(1);
		agents.forEach((agent) -> assertThat(this.commands.gets(KEYS.connection(agent))).isEqualTo(1));
	}

	@Test
	void concurrentLookUpsByTheSameMetadataReadTheIndexAndTheEntriesOnce() {
		List<String> agents = agents(2, "swaggersocket.client.metadata.team=blue");
		String index = KEYS.metadata("team", "blue");
		// else the first EVALSHA is answered NOSCRIPT, and the script would run only
		// once that answer is let through
		this.redis.command("SCRIPT", "LOAD", RedisDirectoryScripts.LIVE_MEMBERS.getScriptAsString());

		List<List<ConnectionLocation>> found = whileAnswersAreHeld(
				() -> this.commands.fromScripts("ZRANGEBYSCORE", index) >= 1,
				() -> Flux.range(0, 16)
					.flatMap((i) -> this.fromB.findByMetadata("team", "blue").collectList(), 16)
					.collectList());

		assertThat(found).hasSize(16)
			.allSatisfy((locations) -> assertThat(locations).extracting(ConnectionLocation::connectionId)
				.containsExactlyInAnyOrderElementsOf(agents));
		this.commands.sync();
		assertThat(this.commands.fromScripts("ZRANGEBYSCORE", index)).isEqualTo(1);
		assertThat(this.commands.multiGets(KEYS.connection(agents.get(0)))).isEqualTo(1);
	}

	@Test
	void aCallWhoseLookUpIsCancelledDoesNotCancelTheReadOthersWaitFor() {
		String agent = agents(1).get(0);
		this.toRedis.freezeToClients();
		Disposable cancelled = this.fromB.locateForCall(agent).subscribe();
		Mono<ConnectionLocation> waiting = this.fromB.locateForCall(agent).cache();
		waiting.subscribe();
		await().atMost(PROMPTLY).until(() -> this.commands.gets(KEYS.connection(agent)) >= 1);

		cancelled.dispose();
		this.toRedis.thaw();

		assertThat(waiting.block(PROMPTLY).hubId()).isEqualTo("a");
		this.commands.sync();
		assertThat(this.commands.gets(KEYS.connection(agent))).isEqualTo(1);
	}

	/**
	 * The fresh look-up a caller makes after the hub named answered 421 reads Redis
	 * itself: a call's read already in flight may have started before the 421, and could
	 * name that hub again.
	 */
	@Test
	void aFreshLookUpSharesNoReadWithTheCallsLookUpInFlight() {
		String agent = agents(1).get(0);
		this.toRedis.freezeToClients();
		Mono<ConnectionLocation> call = this.fromB.locateForCall(agent).cache();
		call.subscribe();
		await().atMost(PROMPTLY).until(() -> this.commands.gets(KEYS.connection(agent)) == 1);

		Mono<ConnectionLocation> fresh = this.fromB.locate(agent).cache();
		fresh.subscribe();
		await().atMost(PROMPTLY).until(() -> this.commands.gets(KEYS.connection(agent)) == 2);
		this.toRedis.thaw();

		assertThat(call.block(PROMPTLY).hubId()).isEqualTo("a");
		assertThat(fresh.block(PROMPTLY).hubId()).isEqualTo("a");
	}

	/**
	 * Run look-ups while Redis's answers to hub B are held back, until Redis has executed
	 * the given number of connection entry reads (so the look-ups are all under way),
	 * then let the answers through.
	 */
	private <T> T whileAnswersAreHeld(int reads, Supplier<Mono<T>> lookUps) {
		return whileAnswersAreHeld(() -> connectionReads() >= reads, lookUps);
	}

	/**
	 * Run look-ups while Redis's answers to hub B are held back, until Redis has executed
	 * what shows that the look-ups are all under way, then let the answers through.
	 */
	private <T> T whileAnswersAreHeld(BooleanSupplier underway, Supplier<Mono<T>> lookUps) {
		this.toRedis.freezeToClients();
		Mono<T> running;
		try {
			running = lookUps.get().cache();
			running.subscribe();
			await().atMost(PROMPTLY).until(underway::getAsBoolean);
		}
		finally {
			this.toRedis.thaw();
		}
		return running.block(PROMPTLY);
	}

	private long connectionReads() {
		return this.agentIds.stream().mapToLong((id) -> this.commands.gets(KEYS.connection(id))).sum();
	}

	/** Start agents on hub A, each published in Redis, none looked up by hub B yet. */
	private List<String> agents(int count, String... properties) {
		for (int i = 1; i <= count; i++) {
			this.apps.client(socketUrl(this.hubA), properties);
			String id = events(this.hubA).await(SwaggerSocketConnectedEvent.class, i, PROMPTLY).getConnection().id();
			this.agentIds.add(id);
			await().atMost(PROMPTLY).until(() -> exists(KEYS.connection(id)));
		}
		return List.copyOf(this.agentIds);
	}

	private boolean exists(String key) {
		return this.redis.command("EXISTS", key).equals(":1\r\n");
	}

}
