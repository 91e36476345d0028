package io.swaggersocket.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hub's own endpoints, against the running sample. They use only the starter's
 * registry and WebClients, never the gateway.
 */
class HubEndpointsTests {

	private static RunningSample sample;

	@BeforeAll
	static void startSample() {
		sample = RunningSample.start();
	}

	@AfterAll
	static void stopSample() {
		sample.close();
	}

	@Test
	void listsConnectedAgentsWithConnectionIdNameAndRegion() {
		String agent1 = sample.agentConnection("agent-1").id();
		sample.hubClient()
			.get()
			.uri("/agents")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.length()")
			.isEqualTo(2)
			.jsonPath("$[0].id")
			.isEqualTo(agent1)
			.jsonPath("$[0].name")
			.isEqualTo("agent-1")
			.jsonPath("$[0].region")
			.isEqualTo("eu-west")
			.jsonPath("$[0].connectedAt")
			.isNotEmpty()
			.jsonPath("$[1].name")
			.isEqualTo("agent-2")
			.jsonPath("$[1].region")
			.isEqualTo("us-east");
	}

	@Test
	void answersAnAgentsConnectionIdAsPlainText() {
		String agent2 = sample.agentConnection("agent-2").id();
		sample.hubClient()
			.get()
			.uri("/agents/agent-2/id")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
			.expectBody(String.class)
			.isEqualTo(agent2);
	}

	@Test
	void callsAnAgentThroughTheRegistryAndAWebClient() {
		sample.hubClient()
			.get()
			.uri("/agents/agent-1/status")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.name")
			.isEqualTo("agent-1")
			.jsonPath("$.region")
			.isEqualTo("eu-west")
			.jsonPath("$.hubConnected")
			.isEqualTo(true);
	}

	@Test
	void listsAnAgentsItemsWithTheGeneratedClient() {
		sample.hubClient()
			.get()
			.uri("/agents/agent-2/items")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$[0].name")
			.isEqualTo("agent-2 sensor")
			.jsonPath("$[1].name")
			.isEqualTo("agent-2 relay");
	}

	@Test
	void agentCallsTheHubBackOverItsOwnSocket() {
		String agent1 = sample.agentConnection("agent-1").id();
		sample.hubClient()
			.get()
			.uri("/agents/agent-1/hello-hub")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.agent")
			.isEqualTo("agent-1")
			.jsonPath("$.hubSaid.message")
			.value(String.class, (message) -> assertThat(message).contains("over your SwaggerSocket connection"))
			.jsonPath("$.hubSaid.connectionId")
			.isEqualTo(agent1);
	}

	@Test
	void greetsAPersonOverPlainHttp() {
		sample.hubClient()
			.get()
			.uri("/hello?from=curl")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.message")
			.value(String.class, (message) -> assertThat(message).contains("over plain HTTP"))
			.jsonPath("$.connectionId")
			.doesNotExist();
	}

	@Test
	void answersProblemDetailForAnUnknownAgent() {
		sample.hubClient()
			.get()
			.uri("/agents/agent-9/status")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("No agent named agent-9 is connected");
	}

	@Test
	void servesThePageThatListsTheAgents() {
		String page = sample.hubClient()
			.get()
			.uri("/")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(page).contains("<table id=\"agents\">", "<script src=\"hub.js\">");
		// the script's body is read, not only its status: WebTestClient releases an
		// unread body's buffers never, and the leak detection fails the class for them
		String script = sample.hubClient()
			.get()
			.uri("/hub.js")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(script).contains("GET /agents");
	}

}
