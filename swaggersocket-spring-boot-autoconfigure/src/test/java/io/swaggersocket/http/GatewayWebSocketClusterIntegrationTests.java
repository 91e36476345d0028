package io.swaggersocket.http;

import java.io.IOException;
import java.time.Duration;

import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSockets through the gateway in a cluster: they reach the agents connected to the hub
 * the client reached; an agent another hub holds is a 501 problem detail, by id and by
 * selector, rather than a 404 that would say it is not there.
 */
@ExtendWith(OutputCaptureExtension.class)
class GatewayWebSocketClusterIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hubA;

	private static ConfigurableApplicationContext hubB;

	private static ClusterHubs.Agent agent;

	@BeforeAll
	static void start() {
		ClusterHubs cluster = new ClusterHubs(apps);
		hubA = cluster.hub("hub-a");
		hubB = cluster.hub("hub-b");
		agent = cluster.agent(hubA, "swaggersocket.client.metadata.role=ws-cluster",
				"spring.main.sources=" + GatewayWebSocketIntegrationTests.AgentWebSockets.class.getName());
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void agentOfThisHubIsReached() throws IOException {
		assertThat(upgrade(hubA, "/peers/" + agent.id() + "/ws/echo").status()).isEqualTo(101);
		assertThat(upgrade(hubA, "/peers/role=ws-cluster/ws/echo").status()).isEqualTo(101);
	}

	@Test
	void agentOfAnotherHubIsA501ProblemDetail(CapturedOutput output) throws IOException {
		RawHttpConnection.Head head = upgrade(hubB, "/peers/" + agent.id() + "/ws/echo");

		assertThat(head.status()).isEqualTo(501);
		assertThat(head.fields()).containsEntry("content-type", "application/problem+json");
		// answered once: no second answer tried on the committed response
		assertThat(output).doesNotContain("already committed");
	}

	@Test
	void selectorMatchingOnlyAgentsOfAnotherHubIsA501ProblemDetail(CapturedOutput output) throws IOException {
		RawHttpConnection.Head head = upgrade(hubB, "/peers/role=ws-cluster/ws/echo");

		assertThat(head.status()).isEqualTo(501);
		assertThat(head.fields()).containsEntry("content-type", "application/problem+json");
		assertThat(output).doesNotContain("already committed");
	}

	@Test
	void unknownConnectionIsStillA404() throws IOException {
		assertThat(upgrade(hubB, "/peers/no-such-agent/ws/echo").status()).isEqualTo(404);
		assertThat(upgrade(hubB, "/peers/role=none/ws/echo").status()).isEqualTo(404);
	}

	private static RawHttpConnection.Head upgrade(ConfigurableApplicationContext hub, String path) throws IOException {
		try (RawHttpConnection raw = RawHttpConnection.connect(TestApplications.port(hub), TIMEOUT)) {
			return raw.sendHead(GatewayWebSocketIntegrationTests.upgrade(path)).readHead();
		}
	}

}
