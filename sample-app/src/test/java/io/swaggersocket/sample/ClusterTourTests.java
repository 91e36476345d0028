package io.swaggersocket.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.test.RedisServer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the README's "Two hubs on Redis" for real: a {@code redis-server} on a free port,
 * the two hubs its {@code java -jar} lines start, with their arguments (but free ports on
 * loopback, and that Redis), then every {@code $ } command of the section with curl in
 * one bash shell, checking each answer. Every command there needs a check here, and every
 * check a command there.
 */
class ClusterTourTests {

	private static final String HEADING = "## Two hubs on Redis";

	/** Where the hub listens unless its command says otherwise (application-hub.yml). */
	private static final String DEFAULT_PORT = "8080";

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void everyClusterTourCommandAnswersAsDescribed() throws Exception {
		ReadmeSection section = ReadmeSection.read(HEADING);
		List<List<String>> hubCommands = hubCommands(section);
		List<String> commands = section.commands();
		assumeTrue(ReadmeSection.onPath("bash") && ReadmeSection.onPath("curl"),
				"Skipped: the README's cluster tour needs bash and curl");
		try (RedisServer redis = RedisServer.startOnFreePort();
				RunningSample hub1 = RunningSample.start(onLoopback(hubCommands.get(0), redis));
				RunningSample hub2 = RunningSample.start(onLoopback(hubCommands.get(1), redis))) {
			String agent1 = hub1.agentConnection("agent-1").id();
			String agent2 = hub1.agentConnection("agent-2").id();
			String agent3 = hub2.agentConnection("agent-3").id();
			String agent4 = hub2.agentConnection("agent-4").id();
			// hub 2 cannot answer for agent-1 by itself: the calls below cross hubs
			assertThat(hub2.hubConnections().find(agent1)).isEmpty();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> directory(hub2).list().map((location) -> location.connectionId()).collectList().block(),
						(ids) -> ids != null && ids.containsAll(List.of(agent1, agent2, agent3, agent4)));

			Map<String, Consumer<String>> steps = new LinkedHashMap<>();
			steps.put("ID=$(curl -s localhost:8080/agents/agent-1/id)",
					(out) -> assertThat(out).as("ID").isEqualTo(agent1));
			steps.put("curl -s localhost:8081/peers/$ID/api/status", (out) -> assertThat(out).as("status through 8081")
				.contains("\"name\":\"agent-1\"", "\"region\":\"eu-west\"", "\"hubConnected\":true"));
			steps.put(
					"curl -s -X POST -H 'Content-Type: application/json' -d '{\"name\":\"hammer\"}' "
							+ "localhost:8081/peers/$ID/api/items",
					(out) -> assertThat(out).as("POST through 8081").isEqualTo("{\"id\":3,\"name\":\"hammer\"}"));
			steps.put("curl -sN \"localhost:8081/peers/$ID/api/ticks?count=2\"",
					(out) -> assertThat(out).as("ticks through 8081")
						.containsSubsequence("data:{\"agent\":\"agent-1\",\"sequence\":1,",
								"data:{\"agent\":\"agent-1\",\"sequence\":2,"));
			steps.put("curl -s localhost:8081/peers/name=agent-1/api/status",
					(out) -> assertThat(out).as("selector through 8081")
						.contains("\"name\":\"agent-1\"", "\"hubConnected\":true", "\"items\":3"));
			steps.put("curl -s localhost:8081/actuator/swaggersocket", (out) -> {
				JsonNode view = json.readTree(out);
				assertThat(ids(view.get("connections"))).as("hub 8081's own connections")
					.containsExactlyInAnyOrder(agent3, agent4);
				JsonNode cluster = view.get("cluster");
				assertThat(cluster.get("hubUrl").asString()).as("hub 8081's URL").isEqualTo(hub2.hubUrl());
				Map<String, List<String>> hubs = new HashMap<>();
				for (JsonNode hub : cluster.get("hubs")) {
					hubs.put(hub.get("url").asString(), ids(hub.get("connections")));
				}
				assertThat(hubs).as("which hub holds which agent")
					.containsOnlyKeys(hub1.hubUrl(), hub2.hubUrl())
					.hasEntrySatisfying(hub1.hubUrl(),
							(ids) -> assertThat(ids).containsExactlyInAnyOrder(agent1, agent2))
					.hasEntrySatisfying(hub2.hubUrl(),
							(ids) -> assertThat(ids).containsExactlyInAnyOrder(agent3, agent4));
			});
			assertThat(commands).as("the commands of the README's cluster tour; each needs a step in this test")
				.containsExactlyElementsOf(steps.keySet());

			List<String> outputs = ReadmeSection.runInOneShell(commands, Map.of("localhost:" + DEFAULT_PORT,
					"127.0.0.1:" + hub1.hubPort(), "localhost:8081", "127.0.0.1:" + hub2.hubPort()));
			SoftAssertions softly = new SoftAssertions();
			for (int i = 0; i < commands.size(); i++) {
				String output = outputs.get(i);
				Consumer<String> check = steps.get(commands.get(i));
				softly.check(() -> check.accept(output));
			}
			softly.assertAll();
		}
	}

	@Test
	void callThroughTheOtherHubAnswersNotFoundOnceTheOwningHubHasStopped() {
		try (RedisServer redis = RedisServer.startOnFreePort();
				RunningSample hub2 = RunningSample.start(clusterHub(redis, "--sample.agents="))) {
			String agent1;
			try (RunningSample hub1 = RunningSample.start(clusterHub(redis))) {
				agent1 = hub1.agentConnection("agent-1").id();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> directory(hub2).locate(agent1).blockOptional(), (location) -> location.isPresent());
				hub2.hubClient().get().uri("/peers/{id}/api/status", agent1).exchange().expectStatus().isOk();
			}
			// withdrawn on the way down, not left to expire with the time-to-live (15 s)
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> hub2.hubClient()
					.get()
					.uri("/peers/{id}/api/status", agent1)
					.exchange()
					.expectStatus()
					.isNotFound()
					.expectBody(String.class)
					.value((body) -> assertThat(body).contains("No live connection with id '" + agent1 + "'")));
		}
	}

	/**
	 * The arguments of the section's {@code java -jar} lines, one list per hub, in order.
	 */
	private static List<List<String>> hubCommands(ReadmeSection section) {
		List<List<String>> hubs = section.indentedLines()
			.stream()
			.filter((line) -> line.startsWith("java -jar "))
			.map((line) -> Arrays.stream(line.split("\\s+")).skip(3).toList())
			.toList();
		assertThat(hubs).as("the README's commands that start a hub").hasSize(2);
		assertThat(hubs.get(0)).as("hub 1 on the default port").noneMatch((arg) -> arg.startsWith("--server.port="));
		assertThat(hubs.get(1)).as("hub 2").contains("--server.port=8081");
		return hubs;
	}

	/**
	 * A hub's arguments as the README gives them, but on a free port on loopback, and
	 * with the test's Redis rather than localhost:6379.
	 */
	private static String[] onLoopback(List<String> printed, RedisServer redis) {
		List<String> args = new ArrayList<>(
				printed.stream().filter((arg) -> !arg.startsWith("--server.port=")).toList());
		args.addAll(List.of("--server.port=0", "--server.address=127.0.0.1", "--spring.data.redis.url=" + redis.url()));
		return args.toArray(String[]::new);
	}

	private static String[] clusterHub(RedisServer redis, String... more) {
		List<String> args = new ArrayList<>(List.of("--spring.profiles.active=cluster"));
		args.addAll(List.of(more));
		return onLoopback(args, redis);
	}

	private static ConnectionDirectory directory(RunningSample sample) {
		return sample.hub().getBean(ConnectionDirectory.class);
	}

	private static List<String> ids(JsonNode connections) {
		List<String> ids = new ArrayList<>();
		for (JsonNode connection : connections) {
			ids.add(connection.get("id").asString());
		}
		return ids;
	}

}
