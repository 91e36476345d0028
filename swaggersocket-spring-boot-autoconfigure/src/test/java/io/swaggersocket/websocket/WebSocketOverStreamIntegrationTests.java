package io.swaggersocket.websocket;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestWebSocketEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * WebSockets opened over SwaggerSocket streams, between two real applications, to the
 * WebSocket handlers of {@link TestWebSocketEndpoints}.
 */
class WebSocketOverStreamIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void tenThousandMessagesFromTheHubComeBackInOrderTextAndBinary() {
		TestApplications.Connected connected = this.apps.connected();
		List<String> sent = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			sent.add(((i % 2 == 0) ? "text " : "binary ") + i);
		}
		List<String> received = new ArrayList<>();
		webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/echo"), (session) -> {
				Flux<WebSocketMessage> out = Flux.fromIterable(sent)
					.map((text) -> text.startsWith("text") ? session.textMessage(text)
							: session.binaryMessage((factory) -> factory.wrap(text.getBytes(StandardCharsets.UTF_8))));
				Mono<Void> in = session.receive()
					.take(sent.size())
					.doOnNext((message) -> received.add(describe(message)))
					.then();
				return Mono.when(session.send(out), in);
			})
			.block(TIMEOUT);
		assertThat(received).containsExactlyElementsOf(sent);
	}

	@Test
	void theAgentOpensAWebSocketToTheHub() {
		TestApplications.Connected connected = this.apps.connected();
		SwaggerSocketConnection agentSide = connected.client()
			.getBean(SwaggerSocketClient.class)
			.getConnection()
			.orElseThrow();
		String answer = webSockets(connected.client()).client(agentSide)
			.execute(URI.create("ws://swaggersocket/ws/echo"), echoOnce("hello hub"))
			.then(Mono.fromCallable(this::lastAnswer))
			.block(TIMEOUT);
		assertThat(answer).isEqualTo("hello hub");
	}

	@Test
	void aOneMebibyteMessageComesBackWhole() {
		TestApplications.Connected connected = this.apps.connected();
		byte[] big = new byte[1024 * 1024];
		for (int i = 0; i < big.length; i++) {
			big[i] = (byte) (i * 31);
		}
		AtomicReference<byte[]> back = new AtomicReference<>();
		webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/echo"),
					(session) -> session.send(Mono.just(session.binaryMessage((factory) -> factory.wrap(big))))
						.then(session.receive().next().doOnNext((message) -> {
							byte[] bytes = new byte[message.getPayload().readableByteCount()];
							message.getPayload().read(bytes);
							back.set(bytes);
						}))
						.then())
			.block(TIMEOUT);
		assertThat(back.get()).isEqualTo(big);
	}

	@Test
	void theSubprotocolIsNegotiated() {
		TestApplications.Connected connected = this.apps.connected();
		AtomicReference<String> chosen = new AtomicReference<>();
		webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/echo"), new WebSocketHandler() {

				@Override
				public List<String> getSubProtocols() {
					return List.of("echo.v3", "echo.v2");
				}

				@Override
				public Mono<Void> handle(WebSocketSession session) {
					chosen.set(session.getHandshakeInfo().getSubProtocol());
					return session.close();
				}

			})
			.block(TIMEOUT);
		assertThat(chosen.get()).isEqualTo("echo.v2");
	}

	@Test
	void closeCodesTravelBothWays() {
		TestApplications.Connected connected = this.apps.connected();
		SwaggerSocketWebSockets webSockets = webSockets(connected.server());
		webSockets.client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/echo?id=hub-closes"),
					(session) -> session.close(new CloseStatus(4001, "bye")))
			.block(TIMEOUT);
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(TestWebSocketEndpoints.closeStatuses.get("hub-closes"))
				.isEqualTo(new CloseStatus(4001, "bye")));
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		webSockets.client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/close?code=4002&reason=done"),
					(session) -> session.receive().then(session.closeStatus().doOnNext(seen::set)).then())
			.block(TIMEOUT);
		assertThat(seen.get()).isEqualTo(new CloseStatus(4002, "done"));
	}

	@Test
	void anAgentThatGoesAwayMidSessionEndsTheSessionWithoutAHang() {
		TestApplications.Connected connected = this.apps.connected();
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		List<String> ticks = new ArrayList<>();
		Mono<Void> session = webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/ticks?ms=20"),
					(webSocket) -> webSocket.receive()
						.doOnNext((message) -> ticks.add(message.getPayloadAsText()))
						.then(webSocket.closeStatus().doOnNext(seen::set))
						.then());
		Mono<Void> running = session.cache();
		running.subscribe();
		await().atMost(TIMEOUT).until(() -> ticks.size() >= 3);
		connected.client().close();
		running.block(TIMEOUT);
		// its graceful shutdown closed the WebSocket rather than wait for it
		assertThat(seen.get()).isEqualTo(CloseStatus.GOING_AWAY);
	}

	@Test
	void aLostConnectionEndsTheSessionOnBothSidesWith1006() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		try (io.swaggersocket.test.FreezableTcpProxy proxy = new io.swaggersocket.test.FreezableTcpProxy(
				TestApplications.port(hub))) {
			this.apps.client(TestApplications.socketUrl(proxy.port()));
			SwaggerSocketConnection hubSide = TestApplications.events(hub)
				.await(io.swaggersocket.connection.SwaggerSocketConnectedEvent.class)
				.getConnection();
			AtomicReference<CloseStatus> seen = new AtomicReference<>();
			List<String> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
			Mono<Void> running = webSockets(hub).client(hubSide)
				.execute(URI.create("ws://swaggersocket/ws/ticks?ms=20&id=lost"),
						(webSocket) -> webSocket.receive()
							.doOnNext((message) -> ticks.add(message.getPayloadAsText()))
							.then(webSocket.closeStatus().doOnNext(seen::set))
							.then())
				.cache();
			running.subscribe();
			await().atMost(TIMEOUT).until(() -> ticks.size() >= 3);
			proxy.reset();
			running.block(TIMEOUT);
			assertThat(seen.get()).isEqualTo(CloseStatus.NO_CLOSE_FRAME);
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(TestWebSocketEndpoints.closeStatuses.get("lost"))
					.isEqualTo(CloseStatus.NO_CLOSE_FRAME));
		}
	}

	@Test
	void aPathWithoutAWebSocketHandlerIsRefusedWith404() {
		TestApplications.Connected connected = this.apps.connected();
		SwaggerSocketWebSockets webSockets = webSockets(connected.server());
		for (String path : List.of("/ws/none", "/api/hello")) {
			assertThatExceptionOfType(SwaggerSocketWebSocketHandshakeException.class)
				.isThrownBy(() -> webSockets.client(connected.serverSide())
					.execute(URI.create("ws://swaggersocket" + path), WebSocketSession::close)
					.block(TIMEOUT))
				.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(404));
		}
	}

	@Test
	void aPeerThatDoesNotAcceptWebSocketsIsNotAskedTo() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(TestApplications.socketUrl(server),
				"swaggersocket.websocket.enabled=false");
		SwaggerSocketConnection serverSide = TestApplications.events(server)
			.await(io.swaggersocket.connection.SwaggerSocketConnectedEvent.class)
			.getConnection();
		TestApplications.events(client).await(io.swaggersocket.connection.SwaggerSocketConnectedEvent.class);
		assertThat(serverSide.peerAcceptsWebSockets()).isFalse();
		assertThatExceptionOfType(SwaggerSocketWebSocketHandshakeException.class)
			.isThrownBy(() -> webSockets(server).client(serverSide)
				.execute(URI.create("ws://swaggersocket/ws/echo"), WebSocketSession::close)
				.block(TIMEOUT))
			.satisfies((ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(501));
		assertThat(serverSide.statistics().requestsOutbound()).isZero();
	}

	@Test
	void aMessageLargerThanTheLimitClosesTheSessionWith1009() {
		TestApplications.Connected connected = this.apps.connected();
		byte[] tooBig = new byte[1024 * 1024 + 1];
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/echo?id=too-big"),
					(session) -> session.send(Mono.just(session.binaryMessage((factory) -> factory.wrap(tooBig))))
						.then(session.receive().then())
						.then(session.closeStatus().doOnNext(seen::set))
						.then())
			.block(TIMEOUT);
		assertThat(seen.get().getCode()).isEqualTo(1009);
	}

	@Test
	void aStalledReaderHoldsTheSenderBackAndEverythingArrivesOnceItReadsAgain() throws Exception {
		TestApplications.Connected connected = this.apps.connected();
		int count = 4096;
		int size = 64 * 1024;
		java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
		java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
		Mono<Void> session = webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/flood?id=stalled&count=" + count + "&size=" + size),
					(webSocket) -> webSocket.receive().limitRate(1).concatMap((message) -> {
						received.addAndGet(message.getPayload().readableByteCount());
						if (received.get() == 10L * size) {
							stalled.countDown();
							return Mono.fromCallable(
									() -> resume.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
						}
						return Mono.just(true);
					}, 0).then());
		Mono<Void> running = session.cache();
		running.subscribe();
		assertThat(stalled.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		java.util.concurrent.atomic.AtomicLong sent = TestWebSocketEndpoints.bytesSent.get("stalled");
		// the agent fills the stream window, the connection window and what its body
		// reads
		// ahead, and then waits: far below the 256 MiB it has to send
		await().atMost(TIMEOUT).until(() -> sent.get() > 10L * size);
		long before = sent.get();
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sent.get() == before);
		assertThat(before).isLessThan(16L * 1024 * 1024);
		resume.countDown();
		running.block(Duration.ofMinutes(2));
		assertThat(received.get()).isEqualTo((long) count * size);
	}

	@Test
	void cancellingTheCallerResetsTheStreamAndTheHandlerSeesTheLoss() {
		TestApplications.Connected connected = this.apps.connected();
		List<String> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
		reactor.core.Disposable session = webSockets(connected.server()).client(connected.serverSide())
			.execute(URI.create("ws://swaggersocket/ws/ticks?ms=20&id=cancelled"),
					(webSocket) -> webSocket.receive()
						.doOnNext((message) -> ticks.add(message.getPayloadAsText()))
						.then())
			.subscribe();
		await().atMost(TIMEOUT).until(() -> ticks.size() >= 2);
		session.dispose();
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(TestWebSocketEndpoints.closeStatuses.get("cancelled"))
				.isEqualTo(CloseStatus.NO_CLOSE_FRAME));
		await().atMost(TIMEOUT).until(() -> connected.serverSide().activeStreams() == 0);
	}

	@Test
	void aSelectorPicksAMatchingAgentAndNoMatchIsAnError() {
		ConfigurableApplicationContext hub = this.apps.server();
		this.apps.client(TestApplications.socketUrl(hub), "swaggersocket.client.metadata.name=agent-7");
		TestApplications.events(hub).await(io.swaggersocket.connection.SwaggerSocketConnectedEvent.class);
		SwaggerSocketWebSockets webSockets = webSockets(hub);
		this.answer = null;
		webSockets.client(io.swaggersocket.routing.PeerSelector.of("name", "agent-7"))
			.execute(URI.create("ws://swaggersocket/ws/echo"), echoOnce("by selector"))
			.block(TIMEOUT);
		assertThat(this.answer).isEqualTo("by selector");
		assertThatExceptionOfType(io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException.class)
			.isThrownBy(() -> webSockets.client(io.swaggersocket.routing.PeerSelector.of("name", "agent-8"))
				.execute(URI.create("ws://swaggersocket/ws/echo"), WebSocketSession::close)
				.block(TIMEOUT));
	}

	private volatile String answer;

	private String lastAnswer() {
		return this.answer;
	}

	private WebSocketHandler echoOnce(String text) {
		return (session) -> session.send(Mono.just(session.textMessage(text)))
			.then(session.receive().next().doOnNext((message) -> this.answer = message.getPayloadAsText()))
			.then();
	}

	private static String describe(WebSocketMessage message) {
		String text = message.getPayloadAsText();
		assertThat(message.getType())
			.isEqualTo(text.startsWith("text") ? WebSocketMessage.Type.TEXT : WebSocketMessage.Type.BINARY);
		return text;
	}

	private static SwaggerSocketWebSockets webSockets(ConfigurableApplicationContext context) {
		return context.getBean(SwaggerSocketWebSockets.class);
	}

}
