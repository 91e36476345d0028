package io.swaggersocket.connection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting a server down lets the calls in flight finish, refuses new ones with the "safe
 * to retry" error, and its clients reconnect to the next instance without counting a
 * failure.
 */
class GracefulShutdownIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void inFlightRequestsCompleteNewOnesAreRefusedAndTheClientReconnects() throws Exception {
		ConfigurableApplicationContext server = this.apps.server("spring.lifecycle.timeout-per-shutdown-phase=20s");
		int port = TestApplications.port(server);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		SwaggerSocketConnection serverSide = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		EventRecorder clientEvents = events(client);
		clientEvents.await(SwaggerSocketConnectedEvent.class);
		WebClient toServer = client.getBean(SwaggerSocketWebClients.class).server();

		Mono<List<String>> slow = Flux.range(0, 20)
			.flatMap((i) -> toServer.get().uri("/mvc/delay?ms=3000").retrieve().bodyToMono(String.class))
			.collectList()
			.cache();
		slow.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> serverSide.activeStreams() == 20);

		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::close);

		// once the client has the GOAWAY, a new call is refused at once, without reaching
		// the server
		Throwable refused = await().atMost(Duration.ofSeconds(5))
			.until(() -> toServer.get()
				.uri("/fn/echo?q=late")
				.retrieve()
				.bodyToMono(String.class)
				.map((body) -> (Throwable) null)
				.onErrorResume((ex) -> Mono.just(Causes.root(ex)))
				.block(Duration.ofSeconds(5)), (ex) -> ex instanceof SwaggerSocketStreamRefusedException);
		assertThat(refused).isInstanceOf(SwaggerSocketStreamRefusedException.class);
		assertThat(shutdown).isNotDone();

		assertThat(slow.block(Duration.ofSeconds(15))).hasSize(20).containsOnly("done after 3000");
		shutdown.get();
		SwaggerSocketClosedEvent closed = clientEvents.await(SwaggerSocketClosedEvent.class);
		assertThat(closed.getCloseCode()).isEqualTo(CloseCodes.GOING_AWAY);
		assertThat(clientEvents.events(SwaggerSocketFailedEvent.class)).isEmpty();

		ConfigurableApplicationContext next = this.apps.serverOnPort(port);
		clientEvents.await(SwaggerSocketConnectedEvent.class, 2, Duration.ofSeconds(15));
		assertThat(registry(next).list()).hasSize(1);
	}

	@Test
	void connectionsBeyondMaxConnectionsAreRefusedWith1013() {
		ConfigurableApplicationContext server = this.apps.server("swaggersocket.server.max-connections=1");
		ConfigurableApplicationContext first = this.apps.client(socketUrl(server));
		events(first).await(SwaggerSocketConnectedEvent.class);

		ConfigurableApplicationContext second = this.apps.client(socketUrl(server));

		SwaggerSocketFailedEvent failed = events(second).await(SwaggerSocketFailedEvent.class);
		assertThat(failed.getReason()).isEqualTo(FailureReason.HANDSHAKE_FAILED);
		assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.TRY_AGAIN_LATER);
		assertThat(failed.getInfo().id()).isEmpty();
		assertThat(registry(server).list()).hasSize(1);
		assertThat(events(second).events(SwaggerSocketConnectedEvent.class)).isEmpty();
	}

	@Test
	void metadataValidatorRejectionReachesTheClientWithItsReason() {
		ConfigurableApplicationContext server = this.apps
			.server("spring.main.sources=" + RejectingValidator.class.getName());
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.metadata.name=intruder");

		SwaggerSocketFailedEvent failed = events(client).await(SwaggerSocketFailedEvent.class);
		assertThat(failed.getReason()).isEqualTo(FailureReason.HANDSHAKE_FAILED);
		assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.HANDSHAKE_REJECTED);
		assertThat(failed.getDetail()).contains("agent name intruder is not allowed");
		assertThat(failed.getInfo().metadata()).containsEntry("name", "intruder");
		assertThat(registry(server).list()).isEmpty();
		assertThat(events(server).events()).isEmpty();
	}

	static class RejectingValidator {

		@org.springframework.context.annotation.Bean
		SwaggerSocketHandshakeValidator validator() {
			return (metadata, principal) -> {
				if ("intruder".equals(metadata.get("name"))) {
					throw new SwaggerSocketHandshakeRejectedException("agent name intruder is not allowed");
				}
			};
		}

	}

}
