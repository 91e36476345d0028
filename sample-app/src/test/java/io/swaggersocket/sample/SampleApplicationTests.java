package io.swaggersocket.sample;

import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.RedisConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnection;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SampleApplicationTests {

	@Test
	void hubAcceptsBothAgents() {
		try (RunningSample sample = RunningSample.start()) {
			assertThat(sample.hubConnections().list())
				.extracting((SwaggerSocketConnection c) -> c.info().metadata().get("name"))
				.containsExactlyInAnyOrder("agent-1", "agent-2");
			assertThat(sample.hubConnections().findByMetadata("region", "us-east")).hasSize(1);
		}
	}

	@Test
	void defaultRunNeedsNoRedisAndIsHealthy() {
		try (RunningSample sample = RunningSample.start()) {
			sample.hubClient()
				.get()
				.uri("/actuator/health")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.status")
				.isEqualTo("UP");
			// Spring Data Redis is on the classpath for the cluster profile only
			assertThat(sample.hub().getBeanNamesForType(ReactiveRedisConnectionFactory.class)).isEmpty();
			assertThat(sample.hub().getBean(ConnectionDirectory.class)).isNotInstanceOf(RedisConnectionDirectory.class);
		}
	}

	@Test
	void startsTheAgentsTheHubNames() {
		MockEnvironment hub = new MockEnvironment().withProperty("sample.agents", "agent-3:ap-south, agent-4:sa-east");
		assertThat(SampleApplication.agents(hub)).containsExactly(new SampleApplication.Agent("agent-3", "ap-south"),
				new SampleApplication.Agent("agent-4", "sa-east"));
		assertThat(SampleApplication.agents(new MockEnvironment().withProperty("sample.agents", ""))).isEmpty();
	}

	@Test
	void refusesAnAgentWithoutARegion() {
		MockEnvironment hub = new MockEnvironment().withProperty("sample.agents", "agent-3");
		assertThatIllegalArgumentException().isThrownBy(() -> SampleApplication.agents(hub))
			.withMessageContaining("expected name:region");
	}

}
