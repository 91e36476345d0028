package io.swaggersocket.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every command of the README's 5-minute tour, as printed, with curl in one bash
 * shell, against the sample (the hub on a free port instead of 8080), and checks each
 * answer. Every command in the tour needs a check here, and every check a command in the
 * tour.
 *
 * <p>
 * Commands that need the gateway or the Actuator endpoint run only where the build has
 * them (a request there that no handler takes says it has not); the others always run.
 */
class ReadmeTourTests {

	private static final String TOUR_HEADING = "## A 5-minute tour";

	private static final String PRINTED_HUB = "localhost:8080";

	@Test
	void everyTourCommandAnswersAsDescribed() throws Exception {
		List<String> commands = ReadmeSection.read(TOUR_HEADING).commands();
		assumeTrue(ReadmeSection.onPath("bash") && ReadmeSection.onPath("curl"),
				"Skipped: the README tour needs bash and curl");
		try (RunningSample sample = RunningSample.start()) {
			Map<String, Step> steps = steps(sample);
			assertThat(commands).as("the commands of the README tour; each needs a step in this test")
				.containsExactlyElementsOf(steps.keySet());
			boolean gateway = served(sample, "/peers/" + sample.agentConnection("agent-1").id() + "/api/status");
			boolean actuator = served(sample, "/actuator/swaggersocket");
			List<String> run = commands.stream().filter((command) -> switch (steps.get(command).needs()) {
				case GATEWAY -> gateway;
				case ACTUATOR -> actuator;
				case HUB -> true;
			}).toList();
			if (run.size() < commands.size()) {
				List<String> missing = new ArrayList<>();
				if (!gateway) {
					missing.add("the gateway (/peers/**)");
				}
				if (!actuator) {
					missing.add("the Actuator endpoint swaggersocket");
				}
				System.out.println("README tour: skipped " + (commands.size() - run.size()) + " of " + commands.size()
						+ " commands: this build has not " + String.join(" nor ", missing));
			}
			List<String> outputs = ReadmeSection.runInOneShell(run,
					Map.of(PRINTED_HUB, "127.0.0.1:" + sample.hubPort()));
			SoftAssertions softly = new SoftAssertions();
			for (int i = 0; i < run.size(); i++) {
				String command = run.get(i);
				String output = outputs.get(i);
				softly.check(() -> steps.get(command).check().accept(output));
			}
			softly.assertAll();
		}
	}

	/** What each command of the tour must answer, in the tour's order. */
	private static Map<String, Step> steps(RunningSample sample) {
		String agent1 = sample.agentConnection("agent-1").id();
		String agent2 = sample.agentConnection("agent-2").id();
		Map<String, Step> steps = new LinkedHashMap<>();
		steps.put("curl -s localhost:8080/agents", hub((out) -> assertThat(out).as("agents")
			.contains(agent1, "\"name\":\"agent-1\"", "\"region\":\"eu-west\"", agent2, "\"name\":\"agent-2\"")));
		steps.put("curl -s localhost:8080/actuator/swaggersocket",
				new Step(Needs.ACTUATOR, (out) -> assertThat(out).as("actuator").contains(agent1, agent2)));
		steps.put("curl -s localhost:8080/agents/agent-1/status", hub((out) -> assertThat(out).as("status")
			.contains("\"name\":\"agent-1\"", "\"region\":\"eu-west\"", "\"hubConnected\":true")));
		steps.put("curl -s localhost:8080/agents/agent-2/items", hub((out) -> assertThat(out).as("items")
			.isEqualTo("[{\"id\":1,\"name\":\"agent-2 sensor\"},{\"id\":2,\"name\":\"agent-2 relay\"}]")));
		steps.put("curl -s localhost:8080/agents/agent-1/hello-hub", hub((out) -> assertThat(out).as("hello-hub")
			.contains("\"agent\":\"agent-1\"", "over your SwaggerSocket connection", "\"connectionId\":\"" + agent1)));
		steps.put("ID=$(curl -s localhost:8080/agents/agent-1/id)",
				hub((out) -> assertThat(out).as("ID").isEqualTo(agent1)));
		steps.put("curl -s localhost:8080/peers/$ID/api/status", gateway((out) -> assertThat(out).as("gateway status")
			.contains("\"name\":\"agent-1\"", "\"hubConnected\":true")));
		steps.put(
				"curl -s -X POST -H 'Content-Type: application/json' -d '{\"name\":\"wrench\"}' "
						+ "localhost:8080/peers/$ID/api/items",
				gateway((out) -> assertThat(out).as("gateway POST").isEqualTo("{\"id\":3,\"name\":\"wrench\"}")));
		steps.put("curl -sN \"localhost:8080/peers/$ID/api/ticks?count=3\"",
				gateway((out) -> assertThat(out).as("gateway ticks")
					.containsSubsequence("data:{\"agent\":\"agent-1\",\"sequence\":1,",
							"data:{\"agent\":\"agent-1\",\"sequence\":2,",
							"data:{\"agent\":\"agent-1\",\"sequence\":3,")));
		steps.put("curl -s localhost:8080/peers/$ID/v3/api-docs",
				gateway((out) -> assertThat(out).as("gateway api-docs")
					.contains("\"title\":\"SwaggerSocket sample agent API\"", "\"/api/items\"")));
		steps.put("curl -s -i localhost:8080/peers/no-such-connection/api/status",
				gateway((out) -> assertThat(out).as("gateway unknown peer")
					.startsWith("HTTP/1.1 404")
					.containsIgnoringCase("content-type: application/problem+json")));
		steps.put("curl -s localhost:8080/peers/name=agent-1/api/status",
				gateway((out) -> assertThat(out).as("gateway by selector")
					.contains("\"name\":\"agent-1\"", "\"hubConnected\":true", "\"items\":3")));
		steps.put("curl -s localhost:8080/peers/name=agent-2,region=us-east/api/items/1",
				gateway((out) -> assertThat(out).as("gateway by two pairs")
					.isEqualTo("{\"id\":1,\"name\":\"agent-2 sensor\"}")));
		steps.put("curl -s -i localhost:8080/peers/name=agent-9/api/status",
				gateway((out) -> assertThat(out).as("gateway selector without a match")
					.startsWith("HTTP/1.1 404")
					.containsIgnoringCase("content-type: application/problem+json")
					.contains("No live connection matches selector 'name=agent-9'")));
		steps.put("curl -s \"localhost:8080/peers/name=agent-1/legacy/hello?from=tour\"",
				gateway((out) -> assertThat(out).as("route to the legacy service")
					.isEqualTo("Hello from the legacy service next to agent-1: GET /hello?from=tour "
							+ "(X-Forwarded-Prefix: /peers/name=agent-1/legacy)")));
		steps.put("curl -sN -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' "
				+ "-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \"localhost:8080/peers/name=agent-1/ws/ticks?count=2\"",
				gateway((out) -> assertThat(out).as("gateway WebSocket upgrade")
					.startsWith("HTTP/1.1 101 Switching Protocols")
					// the accept value RFC 6455 gives for its example key
					.contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
					.containsSubsequence("{\"agent\":\"agent-1\",\"sequence\":1,",
							"{\"agent\":\"agent-1\",\"sequence\":2,")
					.doesNotContain("\"sequence\":3")
					// agent-1's close frame: 0x88, length 2, 1000; read as UTF-8, its
					// first and last bytes are not characters
					.endsWith("\ufffd\u0002\u0003\ufffd")));
		return steps;
	}

	private static Step hub(Consumer<String> check) {
		return new Step(Needs.HUB, check);
	}

	private static Step gateway(Consumer<String> check) {
		return new Step(Needs.GATEWAY, check);
	}

	/**
	 * Whether some handler of the hub takes the path (rather than the static-resource
	 * fallback).
	 */
	private static boolean served(RunningSample sample, String path) {
		EntityExchangeResult<String> result = sample.hubClient()
			.get()
			.uri(path)
			.exchange()
			.expectBody(String.class)
			.returnResult();
		String body = (result.getResponseBody() != null) ? result.getResponseBody() : "";
		return !(result.getStatus().value() == 404 && body.contains("No static resource"));
	}

	private enum Needs {

		HUB, GATEWAY, ACTUATOR

	}

	private record Step(Needs needs, Consumer<String> check) {
	}

}
