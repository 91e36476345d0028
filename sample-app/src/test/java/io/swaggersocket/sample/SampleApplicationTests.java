package io.swaggersocket.sample;

import java.time.Duration;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SampleApplicationTests {

	@Test
	void hubAcceptsBothAgents() {
		List<ConfigurableApplicationContext> contexts = SampleApplication.start("--server.port=0",
				"--server.address=127.0.0.1");
		try {
			SwaggerSocketConnections hub = contexts.get(0).getBean(SwaggerSocketConnections.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> hub.size() == 2);
			assertThat(hub.list()).extracting((SwaggerSocketConnection c) -> c.info().metadata().get("name"))
				.containsExactlyInAnyOrder("agent-1", "agent-2");
			assertThat(hub.findByMetadata("region", "us-east")).hasSize(1);
		}
		finally {
			for (int i = contexts.size() - 1; i >= 0; i--) {
				SpringApplication.exit(contexts.get(i));
			}
		}
	}

}
