package io.swaggersocket.sample;

import java.time.Duration;

import io.swaggersocket.sample.agentclient.ApiClient;
import io.swaggersocket.sample.agentclient.api.ItemsApi;
import io.swaggersocket.sample.agentclient.api.StatusApi;
import io.swaggersocket.sample.agentclient.api.TicksApi;
import io.swaggersocket.sample.agentclient.model.Item;
import io.swaggersocket.sample.agentclient.model.NewItem;
import io.swaggersocket.sample.agentclient.model.Tick;
import io.swaggersocket.sample.hub.AgentApiClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The "swagger" promise: the client OpenAPI Generator made from {@code agent-api.yaml}
 * (generator {@code java}, library {@code webclient}) calls an agent over its socket with
 * only its connector swapped. Its base path, {@code http://agent}, resolves nowhere:
 * every answer here came over the socket.
 */
class GeneratedClientOverSocketTests {

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

	private static ApiClient agent(String name) {
		return AgentApiClients.apiClient(sample.agentConnection(name));
	}

	@Test
	void keepsTheBasePathOfTheSpec() {
		assertThat(agent("agent-1").getBasePath()).isEqualTo("http://agent");
	}

	@Test
	void readsTheAgentsStatus() {
		StepVerifier.create(new StatusApi(agent("agent-1")).getStatus()).assertNext((status) -> {
			assertThat(status.getName()).isEqualTo("agent-1");
			assertThat(status.getRegion()).isEqualTo("eu-west");
			assertThat(status.getHubConnected()).isTrue();
			assertThat(status.getStartedAt()).isNotNull();
		}).expectComplete().verify(TIMEOUT);
	}

	@Test
	void createsReadsAndDeletesAnItem() {
		ItemsApi items = new ItemsApi(agent("agent-2"));
		Item created = items.createItem(new NewItem().name("wrench")).block(TIMEOUT);
		assertThat(created.getName()).isEqualTo("wrench");

		assertThat(items.getItem(created.getId()).block(TIMEOUT)).isEqualTo(created);
		assertThat(items.listItems().collectList().block(TIMEOUT)).extracting(Item::getName)
			.containsExactly("agent-2 sensor", "agent-2 relay", "wrench");

		items.deleteItem(created.getId()).block(TIMEOUT);
		assertThatExceptionOfType(WebClientResponseException.NotFound.class)
			.isThrownBy(() -> items.getItem(created.getId()).block(TIMEOUT));
	}

	@Test
	void receivesStreamedTicksOneByOne() {
		StepVerifier.create(new TicksApi(agent("agent-1")).ticks(3))
			.assertNext((tick) -> assertTick(tick, 1))
			.assertNext((tick) -> assertTick(tick, 2))
			.assertNext((tick) -> assertTick(tick, 3))
			.expectComplete()
			.verify(TIMEOUT);
	}

	private static void assertTick(Tick tick, long sequence) {
		assertThat(tick.getAgent()).isEqualTo("agent-1");
		assertThat(tick.getSequence()).isEqualTo(sequence);
		assertThat(tick.getTime()).isNotNull();
	}

	@Test
	void seesTheAgentsErrorsAsWebClientResponseExceptions() {
		assertThatExceptionOfType(WebClientResponseException.BadRequest.class)
			.isThrownBy(() -> new TicksApi(agent("agent-1")).ticks(0).blockLast(TIMEOUT));
	}

}
