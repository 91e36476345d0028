package io.swaggersocket.websocket;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.test.PlainUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSocketRelay between two Reactor Netty sessions, as the gateway relays an outside
 * client's WebSocket (a Reactor Netty server session): a plain WebFlux server accepts a
 * WebSocket and relays it to a plain Reactor Netty WebSocket server. A close code sent by
 * either end should reach the other.
 */
class WebSocketRelayCloseCodeTests {

	private static PlainUpstream upstream;

	private static DisposableServer proxy;

	@BeforeAll
	static void start() {
		upstream = new PlainUpstream();
		HandshakeWebSocketService service = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
		proxy = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(WebHttpHandlerBuilder.webHandler((exchange) -> service.handleRequest(
					exchange,
					(caller) -> new ReactorNettyWebSocketClient().execute(
							URI.create("ws://127.0.0.1:" + upstream.port() + exchange.getRequest().getURI().getPath()),
							(target) -> WebSocketRelay.relay(caller, target))))
				.build()))
			.bindNow();
	}

	@AfterAll
	static void stop() {
		proxy.disposeNow();
		upstream.close();
	}

	@RepeatedTest(5)
	void closeCodeOfTheUpstreamReachesTheClient() {
		AtomicReference<CloseStatus> status = new AtomicReference<>();
		execute("/ws/close",
				(session) -> session.send(Mono.just(session.textMessage("close, please")))
					.and(session.receive())
					.then(session.closeStatus())
					.doOnNext(status::set)
					.then());
		assertThat(status.get()).isEqualTo(new CloseStatus(4001, "upstream done"));
	}

	@RepeatedTest(5)
	void closeCodeOfTheClientReachesTheUpstream() {
		String reason = "client done " + System.nanoTime();
		execute("/ws/echo",
				// closes on the echo rather than cancel receive(): that would close it
				// with no code at once
				(session) -> session.send(Mono.just(session.textMessage("one")))
					.and(session.receive().concatMap((echo) -> session.close(new CloseStatus(4002, reason)))));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> upstream.closeStatuses()
				.stream()
				.anyMatch((status) -> status.code() == 4002 && status.reasonText().equals(reason)));
	}

	private static void execute(String path, java.util.function.Function<WebSocketSession, Mono<Void>> handler) {
		WebSocketHandler webSocketHandler = new WebSocketHandler() {

			@Override
			public List<String> getSubProtocols() {
				return List.of();
			}

			@Override
			public Mono<Void> handle(WebSocketSession session) {
				return handler.apply(session);
			}

		};
		new ReactorNettyWebSocketClient().execute(URI.create("ws://127.0.0.1:" + proxy.port() + path), webSocketHandler)
			.block(Duration.ofSeconds(30));
	}

}
