package io.swaggersocket.http;

import java.util.Map;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

class DispatchedExchangeIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void dispatchedRequestKnowsItsConnectionAndHostInBothDirections() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		SwaggerSocketConnection onServer = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);

		Map<String, Object> fromServer = server.getBean(SwaggerSocketWebClients.class)
			.webClient(onServer)
			.get()
			.uri("/fn/where")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block();
		assertThat(fromServer).containsEntry("connection", onServer.id())
			.containsEntry("uri", "http://swaggersocket/fn/where");

		Map<String, Object> fromClient = client.getBean(SwaggerSocketWebClients.class)
			.server()
			.get()
			.uri("/fn/where")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block();
		assertThat(fromClient).containsEntry("connection", onServer.id());
	}

}
