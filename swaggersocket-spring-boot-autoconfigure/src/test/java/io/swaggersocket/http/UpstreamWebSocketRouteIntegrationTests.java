package io.swaggersocket.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.PlainUpstream;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.websocket.SwaggerSocketWebSocketHandshakeException;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.WebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * WebSockets that the hub opens over an agent's connection to a path of the agent's
 * routes reach the route's upstream (a plain Reactor Netty WebSocket server, no Spring)
 * as WebSockets: messages both ways in order, the upstream's subprotocol, close codes
 * both ways, and the upstream's refusals as handshake failures with 502, 504 or its own
 * status.
 */
class UpstreamWebSocketRouteIntegrationTests {

	private static final int COUNT = 1_000;

	private static final TestApplications apps = new TestApplications();

	private static PlainUpstream upstream;

	private static ConfigurableApplicationContext hub;

	private static SwaggerSocketConnection connection;

	@BeforeAll
	static void start() throws IOException {
		upstream = new PlainUpstream();
		String upstreamUri = "http://127.0.0.1:" + upstream.port();
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		hub = apps.server();
		apps.client(TestApplications.socketUrl(hub), "swaggersocket.client.routes[0].path=/legacy/**",
				"swaggersocket.client.routes[0].uri=" + upstreamUri, "swaggersocket.client.routes[0].strip-prefix=true",
				"swaggersocket.client.routes[1].path=/down/**",
				"swaggersocket.client.routes[1].uri=http://127.0.0.1:" + closedPort,
				"swaggersocket.client.routes[2].path=/slow/**", "swaggersocket.client.routes[2].uri=" + upstreamUri,
				"swaggersocket.client.routes[2].response-timeout=500ms", "swaggersocket.client.routes[3].path=/kept/**",
				"swaggersocket.client.routes[3].uri=" + upstreamUri, "swaggersocket.client.routes[3].strip-prefix=true",
				"swaggersocket.client.routes[3].preserve-host=true", "swaggersocket.expose.exclude=/legacy/secret/**");
		connection = TestApplications.events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
	}

	@AfterAll
	static void stop() {
		apps.close();
		upstream.close();
	}

	@Test
	void relaysTextMessagesInOrder() {
		List<String> sent = new ArrayList<>();
		for (int i = 0; i < COUNT; i++) {
			sent.add("message-" + i);
		}
		List<String> received = new CopyOnWriteArrayList<>();
		execute("/legacy/ws/echo",
				(session) -> session.send(Flux.fromIterable(sent).map(session::textMessage))
					.and(session.receive()
						.take(COUNT)
						.map(UpstreamWebSocketRouteIntegrationTests::text)
						.doOnNext(received::add)));
		assertThat(received).containsExactlyElementsOf(sent);
	}

	@Test
	void relaysBinaryMessagesInOrder() {
		List<byte[]> sent = new ArrayList<>();
		for (int i = 0; i < COUNT; i++) {
			byte[] message = new byte[1 + (i * 37) % 4096];
			for (int j = 0; j < message.length; j++) {
				message[j] = (byte) (i + j);
			}
			sent.add(message);
		}
		List<byte[]> received = new CopyOnWriteArrayList<>();
		execute("/legacy/ws/echo", (session) -> session
			.send(Flux.fromIterable(sent).map((bytes) -> session.binaryMessage((factory) -> factory.wrap(bytes))))
			.and(session.receive().take(COUNT).map((message) -> {
				assertThat(message.getType()).isEqualTo(WebSocketMessage.Type.BINARY);
				return bytes(message);
			}).doOnNext(received::add)));
		assertThat(received).containsExactlyElementsOf(sent);
	}

	@Test
	void relaysAMessageAsLargeAsASessionTakes() {
		byte[] large = new byte[512 * 1024];
		for (int i = 0; i < large.length; i++) {
			large[i] = (byte) (i * 31);
		}
		AtomicReference<byte[]> echoed = new AtomicReference<>();
		execute("/legacy/ws/echo", (session) -> session
			.send(Mono.just(session.binaryMessage((factory) -> factory.wrap(large))))
			.and(session.receive().take(1).map(UpstreamWebSocketRouteIntegrationTests::bytes).doOnNext(echoed::set)));
		assertThat(echoed.get()).isEqualTo(large);
	}

	@Test
	void negotiatesTheSubprotocolWithTheUpstream() {
		AtomicReference<String> chosen = new AtomicReference<>();
		AtomicReference<String> seen = new AtomicReference<>();
		execute("/legacy/ws/headers", new HttpHeaders(), List.of("nope.test", "v1.test"), (session) -> {
			chosen.set(session.getHandshakeInfo().getSubProtocol());
			return session.receive()
				.take(1)
				.map(UpstreamWebSocketRouteIntegrationTests::text)
				.doOnNext(seen::set)
				.then();
		});
		assertThat(chosen.get()).isEqualTo("v1.test");
		assertThat(seen.get()).contains("selected: v1.test\n").contains("nope.test");
	}

	@Test
	void forwardsEndToEndFieldsAndTellsTheUpstreamWhereTheWebSocketCameFrom() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-Custom", "custom-value");
		headers.add(HttpHeaders.HOST, "device.example");
		String seen = headersSeen("/legacy/ws/headers", headers);
		assertThat(seen).contains("Host: 127.0.0.1:" + upstream.port() + "\n")
			.contains("X-Custom: custom-value\n")
			.contains("X-Forwarded-For: 127.0.0.1\n")
			.contains("X-Forwarded-Proto: http\n")
			.contains("X-Forwarded-Host: device.example\n")
			.contains("X-Forwarded-Prefix: /legacy\n")
			// the agent's client negotiates no extension with the upstream
			.contains("Sec-WebSocket-Extensions: null\n");
	}

	@Test
	void keepsTheCallersHostWhenAsked() {
		HttpHeaders headers = new HttpHeaders();
		headers.add(HttpHeaders.HOST, "device.example");
		assertThat(headersSeen("/kept/ws/headers", headers)).contains("Host: device.example\n");
	}

	@Test
	void closeCodeOfTheUpstreamReachesTheCaller() {
		AtomicReference<CloseStatus> status = new AtomicReference<>();
		execute("/legacy/ws/close",
				(session) -> session.send(Mono.just(session.textMessage("close, please")))
					.and(session.receive().map(UpstreamWebSocketRouteIntegrationTests::text))
					.then(session.closeStatus())
					.doOnNext(status::set)
					.then());
		assertThat(status.get()).isEqualTo(new CloseStatus(4001, "upstream done"));
	}

	@Test
	void closeCodeOfTheCallerReachesTheUpstream() {
		execute("/legacy/ws/echo",
				(session) -> session.send(Mono.just(session.textMessage("one")))
					.thenMany(session.receive().take(1).map(UpstreamWebSocketRouteIntegrationTests::text))
					.then(session.close(new CloseStatus(4002, "caller done"))));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> upstream.closeStatuses()
				.stream()
				.anyMatch((status) -> status.code() == 4002 && status.reasonText().equals("caller done")));
	}

	@Test
	void aMessageFromTheUpstreamOverTheLimitClosesTheCallersSessionWith1009() {
		AtomicReference<CloseStatus> status = new AtomicReference<>();
		execute("/legacy/ws/big",
				(session) -> session.send(Mono.just(session.textMessage("a big one, please")))
					.and(session.receive().map(UpstreamWebSocketRouteIntegrationTests::text))
					.then(session.closeStatus())
					.doOnNext(status::set)
					.then());
		assertThat(status.get().getCode()).isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
		// the upstream learns why: the agent's decoder answers the frame with 1009, and
		// the connection lasts until the upstream has written it all and read the close
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(upstream.closeStatuses())
				.anyMatch((received) -> received.code() == CloseStatus.TOO_BIG_TO_PROCESS.getCode()));
	}

	@Test
	void lossOfTheUpstreamClosesTheCallersSessionWith1011() {
		AtomicReference<CloseStatus> status = new AtomicReference<>();
		execute("/legacy/ws/drop",
				(session) -> session.send(Mono.just(session.textMessage("drop, please")))
					.and(session.receive().map(UpstreamWebSocketRouteIntegrationTests::text))
					.then(session.closeStatus())
					.doOnNext(status::set)
					.then());
		assertThat(status.get().getCode()).isEqualTo(CloseStatus.SERVER_ERROR.getCode());
	}

	@Test
	void failsTheHandshakeWithBadGatewayWhenTheUpstreamIsDown() {
		assertThat(refusal("/down/ws/echo").getStatusCode().value()).isEqualTo(502);
	}

	@Test
	void failsTheHandshakeWithGatewayTimeoutWhenTheUpstreamDoesNotAnswerIt() {
		long start = System.nanoTime();
		SwaggerSocketWebSocketHandshakeException refusal = refusal("/slow/ws/slow");
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(refusal.getStatusCode().value()).isEqualTo(504);
		// the upstream upgrades after 5 s: the 504 comes from the timeout
		assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(4));
	}

	@Test
	void relaysTheStatusOfAnUpstreamThatRefusesTheUpgrade() {
		SwaggerSocketWebSocketHandshakeException refusal = refusal("/legacy/ws/forbidden");
		assertThat(refusal.getStatusCode().value()).isEqualTo(403);
		assertThat(refusal.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer");
		// the agent's WebFilters saw the WebSocket like any request over the socket
		assertThat(refusal.getHeaders().getFirst("X-Filtered")).isEqualTo("yes");
	}

	@Test
	void failsTheHandshakeWithBadGatewayWhenTheUpstreamAnswersWithoutUpgrading() {
		// a 200 over a stream would open the WebSocket
		assertThat(refusal("/legacy/ws/plain").getStatusCode().value()).isEqualTo(502);
	}

	@Test
	void excludedPathsStayUnreachable() {
		assertThat(refusal("/legacy/secret/ws/echo").getStatusCode().value()).isEqualTo(404);
	}

	private static String headersSeen(String path, HttpHeaders headers) {
		AtomicReference<String> seen = new AtomicReference<>();
		execute(path, headers, List.of(),
				(session) -> session.receive()
					.take(1)
					.map(UpstreamWebSocketRouteIntegrationTests::text)
					.doOnNext(seen::set)
					.then());
		return seen.get();
	}

	private static SwaggerSocketWebSocketHandshakeException refusal(String path) {
		return catchThrowableOfType(SwaggerSocketWebSocketHandshakeException.class,
				() -> execute(path, (session) -> session.receive().then()));
	}

	private static void execute(String path, Function<WebSocketSession, Mono<Void>> handler) {
		execute(path, new HttpHeaders(), List.of(), handler);
	}

	private static void execute(String path, HttpHeaders headers, List<String> subProtocols,
			Function<WebSocketSession, Mono<Void>> handler) {
		WebSocketClient client = hub.getBean(SwaggerSocketWebSockets.class).client(connection);
		WebSocketHandler webSocketHandler = new WebSocketHandler() {

			@Override
			public List<String> getSubProtocols() {
				return subProtocols;
			}

			@Override
			public Mono<Void> handle(WebSocketSession session) {
				return handler.apply(session);
			}

		};
		client.execute(URI.create("ws://swaggersocket" + path), headers, webSocketHandler)
			.block(Duration.ofSeconds(30));
	}

	private static String text(WebSocketMessage message) {
		String text = message.getPayloadAsText(StandardCharsets.UTF_8);
		DataBufferUtils.release(message.getPayload());
		return text;
	}

	private static byte[] bytes(WebSocketMessage message) {
		DataBuffer payload = message.getPayload();
		byte[] bytes = new byte[payload.readableByteCount()];
		payload.read(bytes);
		DataBufferUtils.release(payload);
		return bytes;
	}

}
