package io.swaggersocket.http;

import java.time.Duration;
import java.util.Map;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.service.annotation.DeleteExchange;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;
import org.springframework.web.service.annotation.PutExchange;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @HttpExchange} interfaces from {@link SwaggerSocketWebClients}: bound to a
 * selector (the hub calls an agent found by its metadata), to a connection, and to the
 * server (an agent calls its hub), each against the test endpoints of a real application
 * over a real socket. One hub and two agents serve every test of the class.
 */
class HttpInterfaceClientIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static TestApplications apps;

	private static ConfigurableApplicationContext hub;

	private static ConfigurableApplicationContext agentA;

	private static SwaggerSocketConnection hubSideOfA;

	private static SwaggerSocketConnection hubSideOfB;

	@BeforeAll
	static void startHubAndTwoAgents() {
		apps = new TestApplications();
		hub = apps.server();
		agentA = apps.client(socketUrl(hub), "swaggersocket.client.metadata.name=agent-a",
				"swaggersocket.client.metadata.region=eu-west");
		hubSideOfA = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(agentA).await(SwaggerSocketConnectedEvent.class);
		ConfigurableApplicationContext agentB = apps.client(socketUrl(hub),
				"swaggersocket.client.metadata.name=agent-b", "swaggersocket.client.metadata.region=eu-west");
		events(agentB).await(SwaggerSocketConnectedEvent.class);
		hubSideOfB = TestApplications.registry(hub)
			.findByMetadata("name", "agent-b")
			.stream()
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("agent-b did not connect"));
	}

	@AfterAll
	static void stopApplications() {
		apps.close();
	}

	private static SwaggerSocketWebClients webClients(ConfigurableApplicationContext context) {
		return context.getBean(SwaggerSocketWebClients.class);
	}

	@Test
	void selectorClientCallsTheAgentWhoseMetadataMatches() {
		TestApi agentB = webClients(hub).forSelector("name", "agent-b", TestApi.class);
		assertThat(agentB.name().block(TIMEOUT)).isEqualTo("agent-b");
		assertThat(agentB.where().block(TIMEOUT)).containsEntry("connection", hubSideOfB.id());
		TestApi agentA = webClients(hub).forSelector(PeerSelector.of(Map.of("region", "eu-west", "name", "agent-a")),
				TestApi.class);
		assertThat(agentA.name().block(TIMEOUT)).isEqualTo("agent-a");
	}

	@Test
	void selectorClientSendsPathVariablesQueryParametersAndBodies() {
		TestApi agent = webClients(hub).forSelector("name", "agent-a", TestApi.class);
		assertThat(agent.echo("a b&c").block(TIMEOUT)).containsEntry("q", "a b&c");
		assertThat(agent.put("item 7", "seven").block(TIMEOUT)).isEqualTo("item 7=seven");
		ResponseEntity<Map<String, Object>> created = agent.create(Map.of("name", "wrench")).block(TIMEOUT);
		assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertThat(created.getBody()).containsEntry("received", Map.of("name", "wrench"));
		assertThat(agent.delete("item 7").block(TIMEOUT).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
	}

	@Test
	void selectorClientSeesTheAgentsErrorStatusesAsWebClientResponseExceptions() {
		TestApi agent = webClients(hub).forSelector("name", "agent-b", TestApi.class);
		assertThatExceptionOfType(WebClientResponseException.InternalServerError.class)
			.isThrownBy(() -> agent.fail().block(TIMEOUT))
			.satisfies((ex) -> assertThat(ex.getResponseBodyAsString()).contains("boom"));
		assertThatExceptionOfType(WebClientResponseException.NotFound.class)
			.isThrownBy(() -> agent.missing().block(TIMEOUT));
	}

	@Test
	void selectorClientWithoutAMatchFailsAtOnceNamingTheSelector() {
		TestApi nobody = webClients(hub).forSelector(PeerSelector.parse("name=agent-a,region=us-east"), TestApi.class);
		assertThatExceptionOfType(WebClientRequestException.class).isThrownBy(() -> nobody.name().block(TIMEOUT))
			.havingCause()
			.isInstanceOf(SwaggerSocketNoMatchingPeerException.class)
			.withMessageContaining("name=agent-a,region=us-east");
	}

	@Test
	void connectionClientCallsThatConnection() {
		TestApi byConnection = webClients(hub).forConnection(hubSideOfA, TestApi.class);
		assertThat(byConnection.name().block(TIMEOUT)).isEqualTo("agent-a");
		assertThat(byConnection.put("1", "one").block(TIMEOUT)).isEqualTo("1=one");
		TestApi byId = webClients(hub).forConnection(hubSideOfB.id(), TestApi.class);
		assertThat(byId.where().block(TIMEOUT)).containsEntry("connection", hubSideOfB.id());
		assertThatExceptionOfType(WebClientResponseException.InternalServerError.class)
			.isThrownBy(() -> byId.fail().block(TIMEOUT));
	}

	@Test
	void serverClientCallsTheHubOverTheAgentsOwnSocket() {
		TestApi theHub = webClients(agentA).forServer(TestApi.class);
		// the hub's own metadata name is unset: /routing/work answers its default
		assertThat(theHub.name().block(TIMEOUT)).isEqualTo("unnamed");
		assertThat(theHub.where().block(TIMEOUT)).containsEntry("connection", hubSideOfA.id());
		ResponseEntity<Map<String, Object>> created = theHub.create(Map.of("from", "agent-a")).block(TIMEOUT);
		assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertThat(created.getBody()).containsEntry("received", Map.of("from", "agent-a"));
		assertThatExceptionOfType(WebClientResponseException.NotFound.class)
			.isThrownBy(() -> theHub.missing().block(TIMEOUT));
	}

	/** The test endpoints, as an application would declare an agent's API. */
	@HttpExchange
	interface TestApi {

		@GetExchange("/routing/work")
		Mono<String> name();

		@GetExchange("/fn/where")
		Mono<Map<String, Object>> where();

		@GetExchange("/mvc/echo")
		Mono<Map<String, Object>> echo(@RequestParam String q);

		@PutExchange("/mvc/items/{id}")
		Mono<String> put(@PathVariable String id, @RequestBody String body);

		@PostExchange("/mvc/json")
		Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody Map<String, Object> body);

		@DeleteExchange("/mvc/items/{id}")
		Mono<ResponseEntity<Void>> delete(@PathVariable String id);

		@GetExchange("/mvc/fail")
		Mono<String> fail();

		@GetExchange("/no-such-endpoint")
		Mono<String> missing();

	}

}
