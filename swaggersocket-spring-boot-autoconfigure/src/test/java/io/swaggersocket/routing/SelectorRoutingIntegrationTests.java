package io.swaggersocket.routing;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Selector-bound WebClients of a hub calling real agents: calls are spread over the
 * matching agents, skip one that is going away, and survive an agent that is dropped or
 * shut down, retried only where that is safe. One hub and two agents ({@code group=g1},
 * named {@code a} and {@code b}, each dialing through a fault proxy) serve every test; an
 * agent dropped by a test dials again before the next one starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class SelectorRoutingIntegrationTests {

	private static final PeerSelector G1 = PeerSelector.of("group", "g1");

	private static final PeerSelector A = PeerSelector.of("name", "a");

	private static final Duration BLOCK = Duration.ofSeconds(30);

	private final TestApplications apps = new TestApplications();

	private ConfigurableApplicationContext hub;

	private ConfigurableApplicationContext agentB;

	private FreezableTcpProxy proxyA;

	private FreezableTcpProxy proxyB;

	private SwaggerSocketWebClients clients;

	@BeforeAll
	void startHubAndAgents() throws IOException {
		this.hub = this.apps.server("logging.level.io.swaggersocket.http.SelectorClientHttpConnector=DEBUG");
		this.clients = this.hub.getBean(SwaggerSocketWebClients.class);
		this.proxyA = new FreezableTcpProxy(TestApplications.port(this.hub));
		this.proxyB = new FreezableTcpProxy(TestApplications.port(this.hub));
		// a takes 60 streams at a time: beyond them the hub's calls wait for a slot
		this.apps.client(socketUrl(this.proxyA.port()), "swaggersocket.client.metadata.name=a",
				"swaggersocket.client.metadata.group=g1", "swaggersocket.limits.max-concurrent-streams=60");
		this.agentB = this.apps.client(socketUrl(this.proxyB.port()), "swaggersocket.client.metadata.name=b",
				"swaggersocket.client.metadata.group=g1");
	}

	@AfterAll
	void stop() throws IOException {
		this.apps.close();
		this.proxyA.close();
		this.proxyB.close();
	}

	@BeforeEach
	void bothAgentsTakeCalls() {
		await().atMost(Duration.ofSeconds(10)).until(() -> usable(G1).size() == 2);
	}

	@Test
	void thousandCallsAreSpreadOverBothMatchingAgents() {
		WebClient client = this.clients.webClient(G1);
		Map<String, Long> byAgent = Flux.range(0, 1000)
			.flatMap((i) -> client.get().uri("/routing/work").retrieve().bodyToMono(String.class), 32)
			.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
			.block(BLOCK);
		assertThat(byAgent).containsOnlyKeys("a", "b");
		assertThat(byAgent.values()).allSatisfy((calls) -> assertThat(calls).isGreaterThanOrEqualTo(334));
	}

	@Test
	void leastActiveStreamsSendsNewCallsToTheAgentThatIsNotBusy() {
		WebClient toA = this.clients.webClient(A);
		SwaggerSocketConnection a = only(usable(A));
		Mono<List<String>> held = Flux.range(0, 10)
			.flatMap((i) -> toA.get().uri("/routing/work?ms=2000").retrieve().bodyToMono(String.class))
			.collectList()
			.cache();
		held.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> a.activeStreams() == 10);

		WebClient leastActive = this.clients.webClient(G1,
				RoutingOptions.DEFAULTS.withLoadBalancing(LoadBalancing.LEAST_ACTIVE_STREAMS));
		List<String> agents = Flux.range(0, 20)
			.concatMap((i) -> leastActive.get().uri("/routing/work").retrieve().bodyToMono(String.class))
			.collectList()
			.block(BLOCK);
		assertThat(agents).hasSize(20).containsOnly("b");
		assertThat(held.block(BLOCK)).hasSize(10).containsOnly("a");
	}

	@Test
	void connectionThatIsGoingAwayIsNotPicked() {
		WebClient toA = this.clients.webClient(A);
		SwaggerSocketConnection a = only(usable(A));
		Mono<String> inFlight = toA.get().uri("/routing/work?ms=1500").retrieve().bodyToMono(String.class).cache();
		inFlight.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> a.activeStreams() == 1);

		// GOAWAY to agent a: it finishes the call in flight, then the connection closes
		a.close(Duration.ofSeconds(10)).subscribe();
		await().atMost(Duration.ofSeconds(5)).until(a::isGoingAway);
		WebClient client = this.clients.webClient(G1);
		List<String> agents = Flux.range(0, 20)
			.flatMap((i) -> client.get().uri("/routing/work").retrieve().bodyToMono(String.class))
			.collectList()
			.block(BLOCK);
		assertThat(agents).hasSize(20).containsOnly("b");
		assertThat(inFlight.block(BLOCK)).isEqualTo("a");
	}

	@Test
	void idempotentCallsInFlightOnADroppedAgentAllSucceed(CapturedOutput output) throws IOException {
		String run = "idempotent-" + UUID.randomUUID() + "-";
		SwaggerSocketConnection a = only(usable(A));
		double retriedBefore = requests(this.hub, "outbound", "2");
		WebClient client = this.clients.webClient(G1);
		// every fifth call a PUT, the others GETs
		List<Mono<Outcome>> calls = start(100,
				(i) -> call(client, (i % 5 == 0) ? HttpMethod.PUT : HttpMethod.GET, run + i, 2000, null));
		await().atMost(Duration.ofSeconds(10)).until(() -> ran(run, 100) && a.activeStreams() == 50);

		this.proxyA.reset();

		List<Outcome> outcomes = Flux.merge(calls).collectList().block(BLOCK);
		assertThat(outcomes).hasSize(100).allSatisfy((outcome) -> assertThat(outcome.failure()).isNull());
		// the 50 that had run on agent a ran again, as their second attempt
		assertThat(executions(run).values().stream().filter((count) -> count == 2)).hasSize(50);
		assertThat(executions(run).values()).containsOnly(1, 2);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(requests(this.hub, "outbound", "2") - retriedBefore).isEqualTo(50));
		assertThat(output)
			.contains("Retrying GET /routing/work for selector 'group=g1' (attempt 2 of 3) after connection " + a.id()
					+ " failed it: ");
		// the agents' meters tag the hub's calls as inbound, with no attempt
		assertThat(this.agentB.getBean(MeterRegistry.class)
			.find("swaggersocket.requests")
			.tag("direction", "inbound")
			.timers()).isNotEmpty()
			.allSatisfy((timer) -> assertThat(timer.getId().getTag("attempt")).isEqualTo("NONE"));
	}

	@Test
	void postsInFlightOnADroppedAgentFailAndNoneRunsTwice() throws IOException {
		String run = "post-" + UUID.randomUUID() + "-";
		SwaggerSocketConnection a = only(usable(A));
		WebClient client = this.clients.webClient(G1);
		// every fifth POST carries an Idempotency-Key: it may be replayed
		List<Mono<Outcome>> calls = start(100,
				(i) -> call(client, HttpMethod.POST, run + i, 2000, (i % 5 == 0) ? run + i : null));
		await().atMost(Duration.ofSeconds(10)).until(() -> ran(run, 100) && a.activeStreams() == 50);

		this.proxyA.reset();

		List<Outcome> outcomes = Flux.merge(calls).collectList().block(BLOCK);
		assertThat(outcomes).hasSize(100);
		List<Outcome> failed = outcomes.stream().filter((outcome) -> outcome.failure() != null).toList();
		List<Outcome> keyed = outcomes.stream().filter(Outcome::keyed).toList();
		Map<String, Integer> executions = executions(run);
		// those that had reached agent a, but the keyed ones, which ran again elsewhere
		assertThat(failed).hasSize(40).allSatisfy((outcome) -> {
			assertThat(outcome.keyed()).isFalse();
			assertThat(outcome.failure()).isInstanceOf(WebClientRequestException.class)
				.cause()
				.isInstanceOf(SwaggerSocketConnectionClosedException.class);
		});
		assertThat(keyed).hasSize(20).allSatisfy((outcome) -> assertThat(outcome.failure()).isNull());
		assertThat(keyed.stream().filter((outcome) -> executions.get(outcome.call()) == 2)).hasSize(10);
		assertThat(outcomes.stream().filter((outcome) -> !outcome.keyed()))
			.allSatisfy((outcome) -> assertThat(executions.get(outcome.call())).isEqualTo(1));
	}

	@Test
	void postsStillWaitingForAStreamSlotWhenTheAgentDropsAreRetried() throws IOException {
		String run = "unsent-" + UUID.randomUUID() + "-";
		SwaggerSocketConnection a = only(usable(A));
		WebClient client = this.clients.webClient(G1);
		// 80 POSTs for each agent: 60 of a's are sent, 20 wait for one of its stream
		// slots
		List<Mono<Outcome>> calls = start(160, (i) -> call(client, HttpMethod.POST, run + i, 2000, null));
		await().atMost(Duration.ofSeconds(10)).until(() -> ran(run, 140) && a.activeStreams() == 60);

		this.proxyA.reset();

		List<Outcome> outcomes = Flux.merge(calls).collectList().block(BLOCK);
		// only those sent to a fail: the ones a never heard of run elsewhere, once
		assertThat(outcomes.stream().filter((outcome) -> outcome.failure() != null)).hasSize(60)
			.allSatisfy((outcome) -> assertThat(outcome.failure()).cause()
				.isInstanceOf(SwaggerSocketConnectionClosedException.class));
		assertThat(executions(run).values()).hasSize(160).containsOnly(1);
	}

	@Test
	void withOneAttemptNothingIsRetried() throws IOException {
		String run = "once-" + UUID.randomUUID() + "-";
		SwaggerSocketConnection a = only(usable(A));
		double retriedBefore = requests(this.hub, "outbound", "2");
		WebClient client = this.clients.webClient(G1, RoutingOptions.DEFAULTS.withMaxAttempts(1));
		List<Mono<Outcome>> calls = start(20, (i) -> call(client, HttpMethod.GET, run + i, 2000, null));
		await().atMost(Duration.ofSeconds(10)).until(() -> ran(run, 20) && a.activeStreams() == 10);

		this.proxyA.reset();

		List<Outcome> outcomes = Flux.merge(calls).collectList().block(BLOCK);
		assertThat(outcomes.stream().filter((outcome) -> outcome.failure() != null)).hasSize(10)
			.allSatisfy((outcome) -> assertThat(outcome.failure()).cause()
				.isInstanceOf(SwaggerSocketConnectionClosedException.class));
		assertThat(executions(run).values()).hasSize(20).containsOnly(1);
		assertThat(requests(this.hub, "outbound", "2")).isEqualTo(retriedBefore);
	}

	@Test
	void gracefulShutdownOfAnAgentUnderLoadFailsNoCallAndRetriesRefusedPosts() {
		String run = "shutdown-" + UUID.randomUUID() + "-";
		PeerSelector g2 = PeerSelector.of("group", "g2");
		// c takes 4 streams at a time: the hub queues the rest, and they are refused when
		// c
		// goes away
		ConfigurableApplicationContext agentC = this.apps.client(socketUrl(this.hub),
				"swaggersocket.client.metadata.name=c", "swaggersocket.client.metadata.group=g2",
				"swaggersocket.limits.max-concurrent-streams=4", "spring.lifecycle.timeout-per-shutdown-phase=10s");
		this.apps.client(socketUrl(this.hub), "swaggersocket.client.metadata.name=d",
				"swaggersocket.client.metadata.group=g2");
		await().atMost(Duration.ofSeconds(10)).until(() -> usable(g2).size() == 2);
		SwaggerSocketConnection c = only(usable(PeerSelector.of("name", "c")));
		double refusedPostsBefore = requests(this.hub, "outbound", "2", "method", "POST");
		WebClient client = this.clients.webClient(g2);
		AtomicInteger sent = new AtomicInteger();
		Mono<List<Outcome>> load = Flux.range(0, 400).flatMap((i) -> {
			sent.incrementAndGet();
			// two POSTs, two GETs: round robin gives each agent both
			return call(client, (i % 4 < 2) ? HttpMethod.POST : HttpMethod.GET, run + i, 100, null);
		}, 20).collectList().cache();
		load.subscribe();
		await().atMost(Duration.ofSeconds(10)).until(() -> c.activeStreams() == 4);

		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> SpringApplication.exit(agentC));
		List<Outcome> outcomes = load.block(BLOCK);

		assertThat(shutdown).succeedsWithin(BLOCK);
		assertThat(sent.get()).isEqualTo(400);
		assertThat(outcomes).hasSize(400).allSatisfy((outcome) -> assertThat(outcome.failure()).isNull());
		assertThat(executions(run).values()).hasSize(400).containsOnly(1);
		assertThat(outcomes.stream().map(Outcome::agent)).contains("c", "d");
		// POSTs ran on d as second attempts: the ones c had refused
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(requests(this.hub, "outbound", "2", "method", "POST"))
				.isGreaterThan(refusedPostsBefore));
	}

	private List<SwaggerSocketConnection> usable(PeerSelector selector) {
		return registry(this.hub).findByMetadata(selector::matches)
			.stream()
			.filter((connection) -> connection.isOpen() && !connection.isGoingAway())
			.toList();
	}

	private static SwaggerSocketConnection only(List<SwaggerSocketConnection> connections) {
		assertThat(connections).hasSize(1);
		return connections.get(0);
	}

	/**
	 * Subscribe to the calls in order (so that round robin alternates between the agents)
	 * and return their outcomes to wait for.
	 */
	private static List<Mono<Outcome>> start(int count, Function<Integer, Mono<Outcome>> call) {
		List<Mono<Outcome>> calls = Flux.range(0, count).map((i) -> call.apply(i).cache()).collectList().block(BLOCK);
		calls.forEach(Mono::subscribe);
		return calls;
	}

	private static Mono<Outcome> call(WebClient client, HttpMethod method, String call, long ms,
			@Nullable String idempotencyKey) {
		WebClient.RequestBodySpec request = client.method(method)
			.uri("/routing/work?ms={ms}", ms)
			.header("X-Call", call)
			.headers((headers) -> {
				if (idempotencyKey != null) {
					headers.set("Idempotency-Key", idempotencyKey);
				}
			});
		WebClient.RequestHeadersSpec<?> withBody = (method == HttpMethod.GET) ? request : request.bodyValue(call);
		return withBody.retrieve()
			.bodyToMono(String.class)
			.map((agent) -> new Outcome(call, idempotencyKey != null, agent, null))
			.onErrorResume((ex) -> Mono.just(new Outcome(call, idempotencyKey != null, null, ex)));
	}

	/** Whether all calls of a run have reached an agent's handler. */
	private static boolean ran(String run, int calls) {
		return executions(run).size() == calls;
	}

	private static Map<String, Integer> executions(String run) {
		return TestEndpoints.executions.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(run))
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().get()));
	}

	/** How many of an application's calls completed with the given attempt tag. */
	private static double requests(ConfigurableApplicationContext context, String direction, String attempt,
			String... tags) {
		return context.getBean(MeterRegistry.class)
			.find("swaggersocket.requests")
			.tags("direction", direction, "attempt", attempt)
			.tags(tags)
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	/**
	 * One call's result.
	 *
	 * @param call its X-Call header
	 * @param keyed whether it carried an Idempotency-Key
	 * @param agent the agent that answered, or {@code null} if it failed
	 * @param failure why it failed, or {@code null}
	 */
	private record Outcome(String call, boolean keyed, @Nullable String agent, @Nullable Throwable failure) {
	}

}
