package io.swaggersocket.sample;

import io.swaggersocket.connection.SwaggerSocketConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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

}
