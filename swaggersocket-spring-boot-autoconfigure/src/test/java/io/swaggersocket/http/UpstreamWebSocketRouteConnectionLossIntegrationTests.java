package io.swaggersocket.http;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.PlainUpstream;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebSocket through an agent's route when the agent's connection to its hub ends: the
 * upstream's WebSocket is closed too, with 1001 (going away), rather than left open.
 */
class UpstreamWebSocketRouteConnectionLossIntegrationTests {

	private final TestApplications apps = new TestApplications();

	private final PlainUpstream upstream = new PlainUpstream();

	@AfterEach
	void stop() {
		this.apps.close();
		this.upstream.close();
	}

	@Test
	void closingTheConnectionClosesTheUpstreamsWebSocketAsGoingAway() {
		ConfigurableApplicationContext hub = this.apps.server();
		this.apps.client(TestApplications.socketUrl(hub), "swaggersocket.client.routes[0].path=/legacy/**",
				"swaggersocket.client.routes[0].uri=http://127.0.0.1:" + this.upstream.port(),
				"swaggersocket.client.routes[0].strip-prefix=true");
		SwaggerSocketConnection connection = TestApplications.events(hub)
			.await(SwaggerSocketConnectedEvent.class)
			.getConnection();
		Sinks.Empty<Void> echoed = Sinks.empty();
		AtomicReference<CloseStatus> callerStatus = new AtomicReference<>();
		Mono<Void> session = hub.getBean(SwaggerSocketWebSockets.class)
			.client(connection)
			.execute(URI.create("ws://swaggersocket/legacy/ws/echo"),
					(webSocket) -> webSocket.send(Mono.just(webSocket.textMessage("one")))
						.and(webSocket.receive().doOnNext((message) -> {
							DataBufferUtils.release(message.getPayload());
							echoed.tryEmitEmpty();
						}))
						.then(webSocket.closeStatus())
						.doOnNext(callerStatus::set)
						.then());
		Mono.when(session, echoed.asMono().then(connection.close())).block(Duration.ofSeconds(30));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.upstream.closeStatuses()
				.stream()
				.anyMatch((status) -> status.code() == CloseStatus.GOING_AWAY.getCode()));
		assertThat(callerStatus.get().getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
	}

}
