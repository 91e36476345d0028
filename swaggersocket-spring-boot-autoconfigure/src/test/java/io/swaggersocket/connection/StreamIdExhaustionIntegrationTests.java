package io.swaggersocket.connection;

import java.time.Duration;

import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A side that has opened its last stream id (2^31-1) stops opening streams, lets those in
 * flight finish, and closes the connection as for a shutdown, so that the client dials a
 * fresh one (docs/PROTOCOL.md 6.1); calls it can no longer open are refused, safe to
 * retry.
 */
class StreamIdExhaustionIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void clientThatUsesUpItsIdsFinishesItsCallsAndDialsAFreshConnection() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		EventRecorder clientEvents = events(client);
		SocketConnection exhausted = (SocketConnection) clientEvents.await(SwaggerSocketConnectedEvent.class)
			.getConnection();
		WebClient onExhausted = client.getBean(SwaggerSocketWebClients.class).webClient(exhausted);
		// three ids left: 2^31-5, 2^31-3 and 2^31-1
		exhausted.nextStreamIdForTesting(StreamEndpoint.MAX_STREAM_ID - 4);

		Mono<String> slow = onExhausted.get().uri("/mvc/delay?ms=1000").retrieve().bodyToMono(String.class).cache();
		slow.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> exhausted.activeStreams() == 1);
		assertThat(echo(onExhausted, "second-to-last")).isEqualTo("{\"q\":\"second-to-last\"}");
		assertThat(echo(onExhausted, "last")).isEqualTo("{\"q\":\"last\"}");

		Throwable refused = onExhausted.get()
			.uri("/fn/echo?q=beyond")
			.retrieve()
			.bodyToMono(String.class)
			.map((body) -> (Throwable) new AssertionError("Answered on a connection without ids: " + body))
			.onErrorResume((ex) -> Mono.just(Causes.root(ex)))
			.block(Duration.ofSeconds(5));
		assertThat(refused).isInstanceOf(SwaggerSocketStreamRefusedException.class);

		// the call in flight when the ids ran out completes; then the connection closes
		// as for a shutdown, not as a failure, and the client dials again
		assertThat(slow.block(Duration.ofSeconds(10))).isEqualTo("done after 1000");
		SwaggerSocketClosedEvent closed = clientEvents.await(SwaggerSocketClosedEvent.class);
		assertThat(closed.getInfo().id()).isEqualTo(exhausted.id());
		assertThat(closed.getCloseCode()).isEqualTo(CloseCodes.GOING_AWAY);
		assertThat(clientEvents.events(SwaggerSocketFailedEvent.class)).isEmpty();
		SwaggerSocketConnection fresh = clientEvents.await(SwaggerSocketConnectedEvent.class, 2, Duration.ofSeconds(15))
			.getConnection();
		assertThat(fresh.id()).isNotEqualTo(exhausted.id());
		WebClient onFresh = client.getBean(SwaggerSocketWebClients.class).webClient(fresh);
		assertThat(echo(onFresh, "again")).isEqualTo("{\"q\":\"again\"}");
	}

	private static String echo(WebClient webClient, String text) {
		return webClient.get()
			.uri("/fn/echo?q={q}", text)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(5));
	}

}
