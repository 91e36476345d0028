package io.swaggersocket.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.swaggersocket.connection.SwaggerSocketClosedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Actuator endpoint, health indicator and meters over HTTP in real applications.
 */
class ActuatorIntegrationTests {

	private static final String[] ACTUATOR = { "management.endpoints.web.exposure.include=swaggersocket,health,metrics",
			"management.endpoint.health.show-details=always", "swaggersocket.heartbeat.interval=200ms",
			"swaggersocket.heartbeat.timeout=2s" };

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	private static WebClient http(ConfigurableApplicationContext context) {
		return WebClient.create("http://127.0.0.1:" + TestApplications.port(context));
	}

	private static Map<String, Object> getJson(ConfigurableApplicationContext context, String path) {
		return http(context).get()
			.uri(path)
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(5));
	}

	@Test
	@SuppressWarnings("unchecked")
	void endpointListsShowsAndClosesConnections() {
		ConfigurableApplicationContext server = this.apps.server(ACTUATOR);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server), with(ACTUATOR,
				"swaggersocket.client.metadata.name=agent-7", "swaggersocket.client.metadata.region=eu"));
		SwaggerSocketConnection connection = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient toClient = server.getBean(SwaggerSocketWebClients.class).webClient(connection);
		Flux.range(0, 3)
			.concatMap((i) -> toClient.get().uri("/fn/echo?q=x").retrieve().bodyToMono(String.class))
			.blockLast(Duration.ofSeconds(5));
		await().atMost(Duration.ofSeconds(5)).until(() -> connection.lastRoundTrip() != null);

		Map<String, Object> list = getJson(server, "/actuator/swaggersocket");
		List<Map<String, Object>> connections = (List<Map<String, Object>>) list.get("connections");
		assertThat(connections).hasSize(1);
		Map<String, Object> one = connections.get(0);
		assertThat(one).containsEntry("id", connection.id())
			.containsEntry("role", "SERVER")
			.containsEntry("metadata", Map.of("name", "agent-7", "region", "eu"))
			.containsEntry("activeStreams", 0)
			.containsEntry("requestsOutbound", 3)
			.containsEntry("requestsInbound", 0)
			.containsEntry("streamsReset", 0);
		assertThat((String) one.get("remoteAddress")).startsWith("127.0.0.1:");
		assertThat((String) one.get("connectedAt")).isEqualTo(connection.info().connectedAt().toString());
		assertThat(((Number) one.get("heartbeatRoundTripMillis")).doubleValue()).isPositive();
		assertThat(((Number) one.get("bytesInbound")).longValue()).isPositive();
		assertThat(((Number) one.get("bytesOutbound")).longValue()).isPositive();

		assertThat(getJson(server, "/actuator/swaggersocket/" + connection.id())).containsEntry("id", connection.id())
			.containsEntry("requestsOutbound", 3);
		HttpStatus missing = (HttpStatus) http(server).get()
			.uri("/actuator/swaggersocket/no-such-id")
			.exchangeToMono((response) -> reactor.core.publisher.Mono.just(response.statusCode()))
			.block(Duration.ofSeconds(5));
		assertThat(missing).isEqualTo(HttpStatus.NOT_FOUND);

		EventRecorder clientEvents = events(client);
		Map<String, Object> deleted = http(server).delete()
			.uri("/actuator/swaggersocket/" + connection.id())
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(5));
		assertThat(deleted).containsEntry("id", connection.id());
		SwaggerSocketClosedEvent closed = clientEvents.await(SwaggerSocketClosedEvent.class);
		assertThat(closed.getCloseCode()).isEqualTo(1000);
		assertThat(closed.isClosedLocally()).isFalse();
		// the agent comes back on its own
		clientEvents.await(SwaggerSocketConnectedEvent.class, 2, Duration.ofSeconds(10));
	}

	@Test
	@SuppressWarnings("unchecked")
	void clientHealthFollowsTheConnection() {
		ConfigurableApplicationContext server = this.apps.server(ACTUATOR);
		int port = TestApplications.port(server);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server), ACTUATOR);
		events(client).await(SwaggerSocketConnectedEvent.class);

		Map<String, Object> up = component(client);
		assertThat(up).containsEntry("status", "UP");
		assertThat((Map<String, Object>) up.get("details")).containsKey("connectionId");
		assertThat(component(server)).containsEntry("status", "UP").containsEntry("details", Map.of("connections", 1));

		server.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> "DOWN".equals(component(client).get("status")));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ((Map<String, Object>) component(client).get("details")).containsKey("nextAttemptBefore"));
		Map<String, Object> down = (Map<String, Object>) component(client).get("details");
		assertThat(down).containsKey("reason").containsEntry("server", socketUrl(port));

		this.apps.serverOnPort(port, ACTUATOR);
		await().atMost(Duration.ofSeconds(15)).until(() -> "UP".equals(component(client).get("status")));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> component(ConfigurableApplicationContext context) {
		Map<String, Object> health = http(context).get()
			.uri("/actuator/health")
			.exchangeToMono((response) -> response.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(Duration.ofSeconds(5));
		return (Map<String, Object>) ((Map<String, Object>) health.get("components")).get("swaggersocket");
	}

	@Test
	void metersCountAScriptedSequence() {
		ConfigurableApplicationContext server = this.apps.server(ACTUATOR);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server), ACTUATOR);
		SwaggerSocketConnection connection = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient toClient = server.getBean(SwaggerSocketWebClients.class).webClient(connection);

		for (int i = 0; i < 3; i++) {
			toClient.get().uri("/fn/echo?q=x").retrieve().toBodilessEntity().block(Duration.ofSeconds(5));
		}
		toClient.get().uri("/no-such-thing").exchangeToMono((r) -> r.releaseBody()).block(Duration.ofSeconds(5));
		toClient.get().uri("/mvc/fail").exchangeToMono((r) -> r.releaseBody()).block(Duration.ofSeconds(5));
		toClient.get()
			.uri("/stream/endless")
			.retrieve()
			.bodyToFlux(String.class)
			.take(2)
			.blockLast(Duration.ofSeconds(5));
		await().atMost(Duration.ofSeconds(5)).until(() -> connection.lastRoundTrip() != null);

		MeterRegistry serverMeters = server.getBean(MeterRegistry.class);
		MeterRegistry clientMeters = client.getBean(MeterRegistry.class);
		assertThat(serverMeters.get("swaggersocket.connections").tag("role", "server").gauge().value()).isEqualTo(1);
		assertThat(clientMeters.get("swaggersocket.connections").tag("role", "client").gauge().value()).isEqualTo(1);
		assertThat(serverMeters.get("swaggersocket.connection.events").tag("kind", "connected").counter().count())
			.isEqualTo(1);
		assertThat(serverMeters.get("swaggersocket.requests")
			.tags("direction", "outbound", "method", "GET", "status", "200", "outcome", "SUCCESS")
			.timer()
			.count()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(clientMeters.get("swaggersocket.requests")
				.tags("direction", "inbound", "status", "200", "outcome", "SUCCESS")
				.timer()
				.count()).isEqualTo(3));
		assertThat(serverMeters.get("swaggersocket.requests")
			.tags("status", "404", "outcome", "CLIENT_ERROR")
			.timer()
			.count()).isEqualTo(1);
		assertThat(serverMeters.get("swaggersocket.requests")
			.tags("status", "500", "outcome", "SERVER_ERROR")
			.timer()
			.count()).isEqualTo(1);
		assertThat(serverMeters.get("swaggersocket.requests").tags("outcome", "CANCELLED").timer().count())
			.isEqualTo(1);
		assertThat(serverMeters.get("swaggersocket.streams.reset")
			.tags("code", "CANCEL", "side", "sent")
			.counter()
			.count()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(clientMeters.get("swaggersocket.streams.reset")
				.tags("code", "CANCEL", "side", "received")
				.counter()
				.count()).isEqualTo(1));
		assertThat(serverMeters.get("swaggersocket.bytes").tags("role", "server", "direction", "in").counter().count())
			.isPositive();
		assertThat(serverMeters.get("swaggersocket.bytes").tags("role", "server", "direction", "out").counter().count())
			.isPositive();
		assertThat(serverMeters.get("swaggersocket.bytes").tags("role", "client", "direction", "in").counter().count())
			.isZero();
		assertThat(serverMeters.get("swaggersocket.heartbeat.round.trip").tag("role", "server").timer().count())
			.isPositive();
		// the requests the client served went through the same server observation as HTTP
		// requests
		assertThat(clientMeters.get("http.server.requests").tag("uri", "/fn/echo").timer().count()).isEqualTo(3);
		// no meter is tagged with a connection id or a path
		serverMeters.getMeters()
			.stream()
			.filter((meter) -> meter.getId().getName().startsWith("swaggersocket"))
			.forEach((meter) -> assertThat(meter.getId().getTags())
				.noneMatch((tag) -> tag.getValue().equals(connection.id()) || tag.getValue().startsWith("/")));

		client.close();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(
					serverMeters.get("swaggersocket.connection.events").tags("kind", "closed").counter().count())
				.isEqualTo(1));
		assertThat(serverMeters.get("swaggersocket.connections").tag("role", "server").gauge().value()).isZero();
	}

	private static String[] with(String[] base, String... more) {
		String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
		System.arraycopy(more, 0, all, base.length, more.length);
		return all;
	}

}
