package io.swaggersocket.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.ConnectionSettings;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHeartbeatHandler;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.util.ReflectionTestUtils;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients built on one {@link ConnectionManager} without a Reactor Netty client of their
 * own all dial with the manager's one client, as many agents in one process would.
 */
class SharedDialerIntegrationTests {

	private final TestApplications apps = new TestApplications();

	private final List<SwaggerSocketClient> clients = new ArrayList<>();

	private final ConnectionManager manager = new ConnectionManager(new ConnectionOptions(ConnectionSettings.DEFAULTS,
			Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60), 16 * 1024),
			new SwaggerSocketConnections(), (event) -> {
			}, new SwaggerSocketHeartbeatHandler() {
			},
			(connection, request, responder) -> responder.respond(List.of(new Header(":status", "404")), Flux.empty()));

	@AfterEach
	void close() {
		this.clients.forEach(SwaggerSocketClient::stop);
		this.manager.stop();
		this.apps.close();
	}

	@Test
	void clientsOfOneManagerShareItsWebSocketClient() {
		ConfigurableApplicationContext server = this.apps.server();
		this.manager.start();
		ReconnectPolicy reconnect = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(500), 0.5);
		for (int i = 0; i < 3; i++) {
			Map<String, Object> metadata = Map.of("name", "agent-" + i);
			SwaggerSocketClient client = new SwaggerSocketClient(URI.create(socketUrl(server)), () -> metadata,
					HttpHeaders::new, reconnect, this.manager);
			this.clients.add(client);
			client.start();
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> registry(server).size() == 3
					&& this.clients.stream().allMatch((client) -> client.getConnection().isPresent()));
		assertThat(this.clients)
			.allSatisfy((client) -> assertThat(ReflectionTestUtils.getField(client, "webSocketClient"))
				.isSameAs(this.manager.webSocketClient()));
	}

}
