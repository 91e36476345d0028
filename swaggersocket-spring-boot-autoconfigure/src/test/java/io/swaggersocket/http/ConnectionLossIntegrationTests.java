package io.swaggersocket.http;

import java.time.Duration;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calls in flight when the transport drops fail promptly, on both sides, with a clear
 * exception.
 */
class ConnectionLossIntegrationTests {

	private final TestApplications apps = new TestApplications();

	private FreezableTcpProxy proxy;

	@AfterEach
	void close() throws Exception {
		this.apps.close();
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void hundredInFlightCallsFailPromptlyWhenTheSocketDrops() throws Exception {
		ConfigurableApplicationContext server = this.apps.server();
		this.proxy = new FreezableTcpProxy(TestApplications.port(server));
		ConfigurableApplicationContext client = this.apps.client(socketUrl(this.proxy.port()));
		SwaggerSocketConnection serverSide = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient clientToServer = client.getBean(SwaggerSocketWebClients.class).server();
		WebClient serverToClient = server.getBean(SwaggerSocketWebClients.class).webClient(serverSide);

		// 50 calls each way to a handler that answers only after 30 s
		List<Mono<Throwable>> calls = Flux.range(0, 100)
			.map((i) -> ((i % 2 == 0) ? clientToServer : serverToClient).get()
				.uri("/mvc/slow")
				.retrieve()
				.bodyToMono(String.class)
				.then(Mono.<Throwable>empty())
				.onErrorResume(Mono::just)
				.cache())
			.collectList()
			.block();
		calls.forEach(Mono::subscribe);
		await().atMost(Duration.ofSeconds(5)).until(() -> serverSide.activeStreams() == 100);

		this.proxy.close();
		long droppedAt = System.nanoTime();

		List<Throwable> failures = Flux.merge(calls).collectList().block(Duration.ofSeconds(10));
		Duration elapsed = Duration.ofNanos(System.nanoTime() - droppedAt);
		assertThat(failures).hasSize(100)
			.allSatisfy((ex) -> assertThat(Causes.root(ex)).isInstanceOf(SwaggerSocketConnectionClosedException.class));
		System.out.printf("100 in-flight calls failed %d ms after the socket dropped%n", elapsed.toMillis());
		assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
	}

}
