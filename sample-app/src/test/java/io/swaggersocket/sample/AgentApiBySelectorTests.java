package io.swaggersocket.sample;

import java.time.Duration;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.sample.hub.AgentApi;
import io.swaggersocket.sample.hub.AgentCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The hub's HTTP interface to its agents, {@link AgentApi}, bound to an agent by the
 * selector {@code name=<agent>} ({@link AgentCalls#agent}), against the running sample:
 * every answer came over the agent's socket, from whichever connection the agent had when
 * the call was made.
 */
class AgentApiBySelectorTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static RunningSample sample;

	@BeforeAll
	static void startSample() {
		sample = RunningSample.start();
	}

	@AfterAll
	static void stopSample() {
		sample.close();
	}

	private static AgentApi agent(String name) {
		return sample.hub().getBean(AgentCalls.class).agent(name);
	}

	@Test
	void readsTheStatusOfTheAgentTheSelectorNames() {
		AgentApi.Status status = agent("agent-1").status().block(TIMEOUT);
		assertThat(status.name()).isEqualTo("agent-1");
		assertThat(status.region()).isEqualTo("eu-west");
		assertThat(status.hubConnected()).isTrue();
		assertThat(status.startedAt()).isNotNull();
	}

	@Test
	void addsReadsAndRemovesAnItem() {
		AgentApi agent = agent("agent-1");
		AgentApi.Item added = agent.addItem(new AgentApi.NewItem("hammer")).block(TIMEOUT);
		assertThat(added.name()).isEqualTo("hammer");
		assertThat(agent.item(added.id()).block(TIMEOUT)).isEqualTo(added);
		assertThat(agent.items().collectList().block(TIMEOUT)).extracting(AgentApi.Item::name)
			.containsExactly("agent-1 sensor", "agent-1 relay", "hammer");
		agent.removeItem(added.id()).block(TIMEOUT);
		assertThatExceptionOfType(WebClientResponseException.NotFound.class)
			.isThrownBy(() -> agent.item(added.id()).block(TIMEOUT));
	}

	@Test
	void seesTheAgentsRefusalAsAWebClientResponseException() {
		assertThatExceptionOfType(WebClientResponseException.BadRequest.class)
			.isThrownBy(() -> agent("agent-1").addItem(new AgentApi.NewItem(" ")).block(TIMEOUT));
	}

	@Test
	void failsAtOnceWhenNoAgentHasTheName() {
		assertThatExceptionOfType(WebClientRequestException.class)
			.isThrownBy(() -> agent("agent-9").status().block(TIMEOUT))
			.havingCause()
			.isInstanceOf(SwaggerSocketNoMatchingPeerException.class)
			.withMessageContaining("name=agent-9");
	}

	@Test
	void followsTheAgentToItsNextConnection() {
		AgentApi agent2 = agent("agent-2");
		SwaggerSocketConnection first = sample.agentConnection("agent-2");
		assertThat(agent2.helloHub().block(TIMEOUT).hubSaid().connectionId()).isEqualTo(first.id());
		first.close().block(TIMEOUT);
		// the agent dials again, and the hub gives its new connection a new id
		await().atMost(TIMEOUT)
			.until(() -> sample.hubConnections()
				.findByMetadata("name", "agent-2")
				.stream()
				.anyMatch((connection) -> connection.isOpen() && !connection.id().equals(first.id())));
		String second = sample.agentConnection("agent-2").id();
		AgentApi.HubReply reply = agent2.helloHub().block(TIMEOUT);
		assertThat(reply.agent()).isEqualTo("agent-2");
		assertThat(reply.hubSaid().connectionId()).isEqualTo(second).isNotEqualTo(first.id());
	}

}
