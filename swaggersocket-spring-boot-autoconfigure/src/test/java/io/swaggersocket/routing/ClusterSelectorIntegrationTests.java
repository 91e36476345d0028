package io.swaggersocket.routing;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.swaggersocket.http.SwaggerSocketGatewayHandler;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Selectors span the cluster: two hubs on a real Redis, agent {@code local} on hub A and
 * agent {@code remote} on hub B, both in group {@code spread}. Hub A reaches B's agent by
 * selector, spreads a group's calls over both hubs' agents, and a call waiting on A is
 * answered by an agent that connects to B later (found by the cluster's poll: no event
 * reaches A).
 */
class ClusterSelectorIntegrationTests {

	private static final TestApplications apps = new TestApplications();

	private static RedisServer redis;

	private static ClusterHubs cluster;

	private static ConfigurableApplicationContext hubA;

	private static ConfigurableApplicationContext hubB;

	private static SwaggerSocketWebClients clientsOfA;

	@BeforeAll
	static void start() {
		redis = RedisServer.startOnFreePort();
		cluster = ClusterHubs.onRedis(apps, redis);
		hubA = cluster.hub("hub-a");
		hubB = cluster.hub("hub-b");
		cluster.agent(hubA, "swaggersocket.client.metadata.name=local", "swaggersocket.client.metadata.group=spread");
		cluster.agent(hubB, "swaggersocket.client.metadata.name=remote", "swaggersocket.client.metadata.group=spread");
		clientsOfA = hubA.getBean(SwaggerSocketWebClients.class);
	}

	@AfterAll
	static void stop() {
		apps.close();
		redis.close();
	}

	@Test
	void anAgentOnAnotherHubIsReachedBySelector() {
		String viaWebClient = clientsOfA.webClient(PeerSelector.of("name", "remote"))
			.get()
			.uri("/routing/work")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
		assertThat(viaWebClient).isEqualTo("remote");

		ResponseEntity<String> viaGateway = ClusterHubs.http(hubA)
			.get()
			.uri("/peers/name=remote/routing/work")
			.retrieve()
			.toEntity(String.class)
			.block(Duration.ofSeconds(10));
		assertThat(viaGateway.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(viaGateway.getBody()).isEqualTo("remote");
		assertThat(ClusterHubs.http(hubA)
			.post()
			.uri("/peers/group=spread,name=remote/routing/work")
			.bodyValue("a body")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10))).isEqualTo("remote");
	}

	@Test
	void callsAreSpreadOverTheAgentsOfBothHubs() {
		WebClient group = clientsOfA.webClient(PeerSelector.of("group", "spread"));
		Map<String, Long> viaWebClient = count(Flux.range(0, 60)
			.concatMap((i) -> group.get().uri("/routing/work").retrieve().bodyToMono(String.class)));
		Map<String, Long> viaGateway = count(Flux.range(0, 60)
			.concatMap((i) -> ClusterHubs.http(hubA)
				.get()
				.uri("/peers/group=spread/routing/work")
				.retrieve()
				.bodyToMono(String.class)));

		for (Map<String, Long> answers : java.util.List.of(viaWebClient, viaGateway)) {
			assertThat(answers.keySet()).containsExactlyInAnyOrder("local", "remote");
			assertThat(answers.values()).allSatisfy((calls) -> assertThat(calls).isGreaterThanOrEqualTo(20));
		}
	}

	@Test
	void aCallWaitingOnOneHubIsAnsweredByAnAgentConnectingToAnother() {
		PeerWaiters waitersOfA = hubA.getBean(PeerWaiters.class);
		Mono<String> viaWebClient = clientsOfA
			.webClient(PeerSelector.of("name", "late"), RoutingOptions.DEFAULTS.withWaitTimeout(Duration.ofSeconds(20)))
			.get()
			.uri("/routing/work")
			.retrieve()
			.bodyToMono(String.class)
			.cache();
		Mono<ResponseEntity<String>> viaGateway = ClusterHubs.http(hubA)
			.get()
			.uri("/peers/name=late/routing/work")
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "20")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.cache();
		viaWebClient.subscribe();
		viaGateway.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> waitersOfA.waiting() == 2);

		cluster.agent(hubB, "swaggersocket.client.metadata.name=late");

		assertThat(viaWebClient.block(Duration.ofSeconds(20))).isEqualTo("late");
		ResponseEntity<String> answer = viaGateway.block(Duration.ofSeconds(20));
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(answer.getBody()).isEqualTo("late");
		assertThat(waitersOfA.waiting()).isZero();
		assertThat(TestApplications.registry(hubA).findByMetadata("name", "late")).isEmpty();
	}

	private static Map<String, Long> count(Flux<String> answers) {
		return answers.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
			.block(Duration.ofSeconds(30));
	}

}
