package io.swaggersocket.http;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WebSockets through the gateway: an outside client's upgrade to {@code /peers/{id or
 * selector}/ws/...} on the hub reaches the agent's {@code WebSocketHandler}
 * ({@link AgentWebSockets}) over its socket.
 */
class GatewayWebSocketIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hub;

	private static SwaggerSocketConnection agent;

	private static ReactorNettyWebSocketClient outside;

	@BeforeAll
	static void start() {
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
		agent = agent(TestApplications.port(hub), "swaggersocket.client.metadata.role=ws-echo").connection();
		outside = new ReactorNettyWebSocketClient(HttpClient.create(),
				() -> WebsocketClientSpec.builder().maxFramePayloadLength(2 * 1024 * 1024));
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	/**
	 * Start an agent with {@link AgentWebSockets} that dials the hub at a port, and
	 * return its connection as the hub sees it.
	 */
	private static Agent agent(int port, String... properties) {
		List<String> all = new ArrayList<>(Arrays.asList(properties));
		all.add("spring.main.sources=" + AgentWebSockets.class.getName());
		ConfigurableApplicationContext context = apps.client(socketUrl(port), all.toArray(String[]::new));
		// by id: another test's agent may connect again meanwhile
		String id = events(context).await(SwaggerSocketConnectedEvent.class).getConnection().id();
		SwaggerSocketConnection connection = await().atMost(Duration.ofSeconds(10))
			.until(() -> TestApplications.registry(hub).find(id).orElse(null), Objects::nonNull);
		return new Agent(context, connection);
	}

	/**
	 * An agent application and its connection as the hub sees it.
	 */
	private record Agent(ConfigurableApplicationContext context, SwaggerSocketConnection connection) {
	}

	private static URI gateway(String path) {
		return URI.create("ws://127.0.0.1:" + TestApplications.port(hub) + path);
	}

	@Test
	void echoesTenThousandTextAndBinaryMessagesInOrder() {
		int count = 10_000;
		List<String> received = new ArrayList<>();
		outside.execute(gateway("/peers/" + agent.id() + "/ws/echo"), (session) -> {
			Flux<WebSocketMessage> messages = Flux.range(0, count)
				.map((i) -> (i % 2 == 0) ? session.textMessage("text-" + i) : session
					.binaryMessage((factory) -> factory.wrap(("binary-" + i).getBytes(StandardCharsets.UTF_8))));
			Mono<Void> echoes = session.receive()
				.take(count)
				.doOnNext((message) -> received.add(message.getType() + ":" + message.getPayloadAsText()))
				.then();
			return session.send(messages).and(echoes).then(session.close());
		}).block(TIMEOUT);

		assertThat(received).hasSize(count);
		for (int i = 0; i < count; i++) {
			assertThat(received.get(i)).isEqualTo((i % 2 == 0) ? "TEXT:text-" + i : "BINARY:binary-" + i);
		}
	}

	@Test
	void carriesAOneMebibyteMessageBothWays() {
		byte[] big = new byte[1024 * 1024];
		new Random(13).nextBytes(big);
		AtomicReference<byte[]> echoed = new AtomicReference<>();
		outside.execute(gateway("/peers/" + agent.id() + "/ws/echo"),
				(session) -> session.send(Mono.just(session.binaryMessage((factory) -> factory.wrap(big))))
					.and(session.receive().next().doOnNext((message) -> echoed.set(bytes(message.getPayload()))))
					.then(session.close()))
			.block(TIMEOUT);

		assertThat(echoed.get()).isEqualTo(big);
	}

	@Test
	void messageOverTheLimitClosesTheOutsideSocketWith1009() throws InterruptedException {
		AgentWebSockets.closes.clear();
		byte[] tooBig = new byte[agentMaxMessageSize() + 1];
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		outside.execute(gateway("/peers/" + agent.id() + "/ws/echo"),
				(session) -> session.send(Mono.just(session.binaryMessage((factory) -> factory.wrap(tooBig))))
					.and(session.receive().then())
					.then(session.closeStatus().doOnNext(seen::set))
					.then())
			.block(TIMEOUT);

		assertThat(seen.get()).isNotNull();
		assertThat(seen.get().getCode()).isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
		// and the agent's session ends with it
		assertThat(AgentWebSockets.closes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).extracting(CloseStatus::getCode)
			.isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
	}

	@Test
	void fragmentedMessageOverTheLimitClosesTheOutsideSocketWith1009() throws Exception {
		AgentWebSockets.closes.clear();
		int half = agentMaxMessageSize() / 2 + 1;
		try (BareWebSocket bare = BareWebSocket.connect(gateway("/peers/" + agent.id() + "/ws/echo"), TIMEOUT)) {
			bare.sendFrame(false, BareWebSocket.BINARY, new byte[half]).sendFrame(true, 0, new byte[half]);

			assertThat(bare.readUntilClose().closeCode()).isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
		}
		assertThat(AgentWebSockets.closes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).extracting(CloseStatus::getCode)
			.isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
	}

	/**
	 * RFC 6455 section 7.1.1: the hub closes TCP once the client has had its close frame
	 * and answered. Closing with the client's bytes unread would reset the connection,
	 * and a client still writing its message may then never read the 1009.
	 */
	@Test
	void keepsReadingAfterTheCloseForAFrameOverTheLimitUntilTheClientEnds() throws Exception {
		AgentWebSockets.closes.clear();
		int tooBig = agentMaxMessageSize() + 1;
		try (BareWebSocket bare = BareWebSocket.connect(gateway("/peers/" + agent.id() + "/ws/echo"), TIMEOUT)) {
			// a frame over the limit, and the first part of its payload
			byte[] chunk = new byte[16 * 1024];
			bare.sendBinaryFrameHeader(tooBig).sendRaw(chunk);

			assertThat(bare.readFrame().closeCode()).isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
			// the client writes the rest of its frame, as one that wrote it whole would
			for (int sent = chunk.length; sent < tooBig; sent += chunk.length) {
				bare.sendRaw(chunk);
			}
			bare.sendClose(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
			assertThat(bare.readsEndOfStream()).isTrue();
		}
		assertThat(AgentWebSockets.closes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).extracting(CloseStatus::getCode)
			.isEqualTo(CloseStatus.TOO_BIG_TO_PROCESS.getCode());
	}

	private static int agentMaxMessageSize() {
		return hub.getBean(SwaggerSocketWebSockets.class).maxMessageSize();
	}

	@Test
	void passesTheRequestsEndToEndHeadersButNotItsHandshake() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-Custom", "passed on");
		List<String> received = new ArrayList<>();
		outside.execute(gateway("/peers/" + agent.id() + "/ws/headers"), headers,
				(session) -> session.receive().doOnNext((message) -> received.add(message.getPayloadAsText())).then())
			.block(TIMEOUT);

		assertThat(received).containsExactly("x-custom=[passed on] x-forwarded-prefix=[/peers/" + agent.id()
				+ "] sec-websocket-key=null sec-websocket-version=null upgrade=[websocket]");
	}

	@Test
	void selectorRequestWaitsForAMatchingAgent() {
		Mono<List<String>> echo = Mono.defer(() -> {
			List<String> received = new ArrayList<>();
			HttpHeaders headers = new HttpHeaders();
			headers.add(SwaggerSocketGatewayHandler.WAIT_HEADER, "10");
			return outside
				.execute(gateway("/peers/role=late/ws/echo"), headers, (session) -> session
					.send(Mono.just(session.textMessage("waited")))
					.thenMany(session.receive().take(1).doOnNext((message) -> received.add(message.getPayloadAsText())))
					.then(session.close()))
				.thenReturn(received);
		});
		CompletableFuture<List<String>> waiting = echo.toFuture();

		agent(TestApplications.port(hub), "swaggersocket.client.metadata.role=late");

		assertThat(waiting.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join()).containsExactly("waited");
	}

	@Test
	void outsideCloseCodeReachesTheAgentsHandler() throws InterruptedException {
		AgentWebSockets.closes.clear();
		outside
			.execute(gateway("/peers/" + agent.id() + "/ws/echo"),
					(session) -> session.send(Mono.just(session.textMessage("hello")))
						// closed while still receiving: cancelling the receive would make
						// the
						// client close with 1000 itself
						.and(session.receive().concatMap((echo) -> session.close(new CloseStatus(4001, "bye")))))
			.block(TIMEOUT);

		assertThat(AgentWebSockets.closes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
			.isEqualTo(new CloseStatus(4001, "bye"));
	}

	@Test
	void outsideClientVanishingClosesTheAgentsSessionWith1011() throws Exception {
		AgentWebSockets.closes.clear();
		try (RawHttpConnection raw = RawHttpConnection.connect(TestApplications.port(hub), TIMEOUT)) {
			assertThat(raw.sendHead(upgrade("/peers/" + agent.id() + "/ws/echo")).readHead().status()).isEqualTo(101);
		}

		CloseStatus status = AgentWebSockets.closes.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		assertThat(status).isNotNull();
		assertThat(status.getCode()).isEqualTo(CloseStatus.SERVER_ERROR.getCode());
	}

	@Test
	void agentsCloseCodeReachesTheOutsideClient() {
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		outside.execute(gateway("/peers/" + agent.id() + "/ws/close"),
				(session) -> session.send(Mono.just(session.textMessage("close, please")))
					.and(session.receive().then())
					.then(session.closeStatus().doOnNext(seen::set))
					.then())
			.block(TIMEOUT);

		assertThat(seen.get()).isEqualTo(new CloseStatus(4002, "done"));
	}

	@Test
	void passesTheSubprotocolTheAgentChose() throws IOException {
		try (RawHttpConnection raw = RawHttpConnection.connect(TestApplications.port(hub), TIMEOUT)) {
			RawHttpConnection.Head head = raw
				.sendHead(upgrade("/peers/" + agent.id() + "/ws/proto", "Sec-WebSocket-Protocol: v3.echo, v1.echo"))
				.readHead();

			assertThat(head.status()).isEqualTo(101);
			assertThat(head.fields()).containsEntry("sec-websocket-protocol", "v1.echo");
		}
	}

	@Test
	void selectsTheAgentByMetadata() {
		List<String> received = new ArrayList<>();
		outside.execute(gateway("/peers/role=ws-echo/ws/echo"),
				(session) -> session.send(Mono.just(session.textMessage("by selector")))
					.thenMany(session.receive().take(1).doOnNext((message) -> received.add(message.getPayloadAsText())))
					.then(session.close()))
			.block(TIMEOUT);

		assertThat(received).containsExactly("by selector");
	}

	@Test
	void unknownConnectionIsA404ProblemDetail() throws IOException {
		assertProblem("/peers/no-such-agent/ws/echo", 404, "No live connection with id 'no-such-agent'");
	}

	@Test
	void selectorMatchingNothingIsA404ProblemDetail() throws IOException {
		assertProblem("/peers/role=none/ws/echo", 404, null);
	}

	@Test
	void malformedSelectorIsA400ProblemDetail() throws IOException {
		assertProblem("/peers/role=a,b/ws/echo", 400, null);
	}

	@Test
	void pathWithoutAHandlerOnTheAgentIsA404ProblemDetail() throws IOException {
		assertProblem("/peers/" + agent.id() + "/ws/nothing-here", 404,
				"Connection '" + agent.id() + "' refused the WebSocket with status 404");
	}

	@Test
	void agentThatTakesNoWebSocketsIsA501ProblemDetail() throws IOException {
		SwaggerSocketConnection plain = agent(TestApplications.port(hub), "swaggersocket.websocket.enabled=false")
			.connection();

		assertProblem("/peers/" + plain.id() + "/ws/echo", 501,
				"The peer of connection '" + plain.id() + "' does not take WebSockets over SwaggerSocket");
	}

	@Test
	void agentConnectionLostClosesTheOutsideSocketWith1011() throws IOException {
		try (FreezableTcpProxy proxy = new FreezableTcpProxy(TestApplications.port(hub))) {
			SwaggerSocketConnection doomed = agent(proxy.port()).connection();
			CloseStatus status = closeAfter(doomed, () -> {
				try {
					proxy.reset();
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});

			assertThat(status.getCode()).isEqualTo(CloseStatus.SERVER_ERROR.getCode());
		}
	}

	@Test
	void hubClosingTheAgentsConnectionInOrderClosesTheOutsideSocketWith1001() {
		Agent agent = agent(TestApplications.port(hub));
		SwaggerSocketConnection closing = agent.connection();
		CloseStatus status = closeAfter(closing, () -> closing.close().block(TIMEOUT));
		// it would dial again
		SpringApplication.exit(agent.context());

		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
	}

	@Test
	void agentShuttingDownClosesTheOutsideSocketWith1001() {
		Agent leaving = agent(TestApplications.port(hub), "spring.lifecycle.timeout-per-shutdown-phase=5s");
		CloseStatus status = closeAfter(leaving.connection(), () -> SpringApplication.exit(leaving.context()));

		assertThat(status.getCode()).isEqualTo(CloseStatus.GOING_AWAY.getCode());
	}

	/**
	 * The agent sends 256 MiB as fast as the gateway takes it; the outside client reads
	 * 16 messages, then nothing for 5 s, then the rest. While it reads nothing, the
	 * agent's sender must be held back by the stream's flow control and the hub must not
	 * buffer what the client does not take. The bound for both, 64 MiB, is what the
	 * windows and buffers on the way may hold, with room to spare: the stream's window
	 * (at most half of {@code swaggersocket.limits.max-window}, 32 MiB), the TCP buffers
	 * of the agent's socket and of the outside client's (a few MiB each on loopback), and
	 * the messages Reactor Netty and the relay have requested but not written (some 128
	 * of 64 KiB at most).
	 */
	@Test
	void slowOutsideReaderHoldsBackTheAgentsSenderWithBoundedHubHeap() {
		long bound = 64L * 1024 * 1024;
		int messages = AgentWebSockets.FLOOD_MESSAGES;
		int size = AgentWebSockets.FLOOD_MESSAGE_SIZE;
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		System.gc();
		long heapBefore = memory.getHeapMemoryUsage().getUsed();
		AgentWebSockets.floodSent.set(0);
		FloodReader reader = new FloodReader(16, size);
		CompletableFuture<Void> done = outside.execute(gateway("/peers/" + agent.id() + "/ws/flood"), (session) -> {
			session.receive().subscribe(reader);
			return reader.done();
		}).toFuture();
		await().atMost(TIMEOUT).until(() -> reader.received() == 16);

		// the stall: whatever the agent sent meanwhile stays within the windows
		List<Long> sentDuringStall = new ArrayList<>();
		await().during(Duration.ofSeconds(5))
			.atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				sentDuringStall.add(AgentWebSockets.floodSent.get());
				return reader.received() == 16 && AgentWebSockets.floodSent.get() < bound;
			});
		System.gc();
		long heapGrowth = memory.getHeapMemoryUsage().getUsed() - heapBefore;
		long sentAtEndOfStall = AgentWebSockets.floodSent.get();
		System.out.printf(
				"WebSocket through the gateway, outside reader stalled 5 s: agent sent %.1f MiB of 256 MiB, "
						+ "hub heap growth after GC %.1f MiB%n",
				sentAtEndOfStall / (1024.0 * 1024.0), heapGrowth / (1024.0 * 1024.0));
		// the sender stopped: in the last half of the stall it sent nothing more
		assertThat(sentDuringStall.get(sentDuringStall.size() / 2)).isEqualTo(sentAtEndOfStall);
		assertThat(sentAtEndOfStall).isLessThan(bound);
		assertThat(heapGrowth).isLessThan(bound);

		reader.resume();
		done.orTimeout(2, TimeUnit.MINUTES).join();
		assertThat(reader.error()).isNull();
		assertThat(reader.received()).isEqualTo(messages);
		assertThat(reader.bytes()).isEqualTo((long) messages * size);
		assertThat(AgentWebSockets.floodSent.get()).isEqualTo((long) messages * size);
	}

	/**
	 * Open a WebSocket to the agent on a connection, check that it echoes, then do
	 * something to the agent and return the close status the outside client sees.
	 */
	private static CloseStatus closeAfter(SwaggerSocketConnection connection, Runnable fault) {
		AtomicReference<CloseStatus> seen = new AtomicReference<>();
		CompletableFuture<Void> echoed = new CompletableFuture<>();
		Mono<Void> session = outside.execute(gateway("/peers/" + connection.id() + "/ws/echo"),
				(outsideSession) -> outsideSession.send(Mono.just(outsideSession.textMessage("before")))
					.and(outsideSession.receive().doOnNext((message) -> echoed.complete(null)).then())
					.then(outsideSession.closeStatus().doOnNext(seen::set))
					.then());
		CompletableFuture<Void> done = session.toFuture();
		echoed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
		fault.run();
		// a bound for "it does not hang", far beyond the heartbeat and shutdown timeouts
		done.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
		assertThat(seen.get()).isNotNull();
		return seen.get();
	}

	private static void assertProblem(String path, int status, @Nullable String detail) throws IOException {
		try (RawHttpConnection raw = RawHttpConnection.connect(TestApplications.port(hub), TIMEOUT)) {
			RawHttpConnection.Head head = raw.sendHead(upgrade(path)).readHead();
			String body = raw.readBody(head, (read) -> {
			}).text();

			assertThat(head.status()).isEqualTo(status);
			assertThat(head.fields()).containsEntry("content-type", "application/problem+json");
			assertThat(body).contains("\"status\":" + status);
			if (detail != null) {
				assertThat(body).contains("\"detail\":\"" + detail + "\"");
			}
		}
	}

	static String upgrade(String path, String... fields) {
		StringBuilder head = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				+ "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13");
		for (String field : fields) {
			head.append("\r\n").append(field);
		}
		return head.toString();
	}

	/**
	 * Reads the agent's flood: a few messages, then nothing until resumed, checking that
	 * each message is whole and in order.
	 */
	private static final class FloodReader extends BaseSubscriber<WebSocketMessage> {

		private final int first;

		private final int size;

		private final Sinks.Empty<Void> done = Sinks.empty();

		private volatile boolean resumed;

		private volatile int received;

		private volatile long bytes;

		private volatile @Nullable Throwable error;

		FloodReader(int first, int size) {
			this.first = first;
			this.size = size;
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
			subscription.request(this.first);
		}

		@Override
		protected void hookOnNext(WebSocketMessage message) {
			DataBuffer payload = message.getPayload();
			int index = this.received;
			if (payload.readableByteCount() != this.size || payload.getByte(0) != (byte) (index >>> 24)
					|| payload.getByte(1) != (byte) (index >>> 16) || payload.getByte(2) != (byte) (index >>> 8)
					|| payload.getByte(3) != (byte) index
					|| payload.getByte(this.size - 1) != AgentWebSockets.FLOOD_PATTERN[this.size - 1]) {
				this.error = new AssertionError("Message " + index + " is not what the agent sent");
			}
			this.bytes += payload.readableByteCount();
			this.received = index + 1;
			if (this.resumed) {
				request(1);
			}
		}

		@Override
		protected void hookOnError(Throwable throwable) {
			this.error = throwable;
			this.done.tryEmitError(throwable);
		}

		@Override
		protected void hookOnComplete() {
			this.done.tryEmitEmpty();
		}

		void resume() {
			this.resumed = true;
			request(1);
		}

		Mono<Void> done() {
			return this.done.asMono();
		}

		int received() {
			return this.received;
		}

		long bytes() {
			return this.bytes;
		}

		@Nullable Throwable error() {
			return this.error;
		}

	}

	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		return bytes;
	}

	/**
	 * The agent's WebSocket handlers.
	 */
	@Configuration(proxyBeanMethods = false)
	static class AgentWebSockets {

		/** The close statuses the echo handler's sessions received. */
		static final BlockingQueue<CloseStatus> closes = new LinkedBlockingQueue<>();

		static final int FLOOD_MESSAGES = 4096;

		static final int FLOOD_MESSAGE_SIZE = 64 * 1024;

		/** The bytes of each flood message after its index. */
		static final byte[] FLOOD_PATTERN = pattern();

		/** The bytes of the flood the agent's handler produced, on demand. */
		static final AtomicLong floodSent = new AtomicLong();

		@Bean
		SimpleUrlHandlerMapping agentWebSocketMapping() {
			Map<String, Object> handlers = Map.of("/ws/echo", (WebSocketHandler) AgentWebSockets::echo, "/ws/close",
					(WebSocketHandler) AgentWebSockets::closeWith4002, "/ws/flood",
					(WebSocketHandler) AgentWebSockets::flood, "/ws/proto", new SubProtocols(), "/ws/headers",
					(WebSocketHandler) AgentWebSockets::headers);
			return new SimpleUrlHandlerMapping(handlers, 1);
		}

		static Mono<Void> echo(WebSocketSession session) {
			session.closeStatus().subscribe(closes::add);
			// a received payload is handed to send, which releases it once written
			return session.send(session.receive());
		}

		/**
		 * 4,096 messages of 64 KiB, each made when the session asks for it: the index,
		 * then {@link #FLOOD_PATTERN}.
		 */
		static Mono<Void> flood(WebSocketSession session) {
			Flux<WebSocketMessage> messages = Flux.range(0, FLOOD_MESSAGES).map((index) -> {
				DataBuffer buffer = session.bufferFactory().allocateBuffer(FLOOD_MESSAGE_SIZE);
				buffer.write(ByteBuffer.allocate(4).putInt(0, index));
				buffer.write(FLOOD_PATTERN, 4, FLOOD_MESSAGE_SIZE - 4);
				floodSent.addAndGet(FLOOD_MESSAGE_SIZE);
				return new WebSocketMessage(WebSocketMessage.Type.BINARY, buffer);
			});
			return session.send(messages);
		}

		private static byte[] pattern() {
			byte[] pattern = new byte[FLOOD_MESSAGE_SIZE];
			new Random(42).nextBytes(pattern);
			return pattern;
		}

		/**
		 * Answers with what the agent saw of some handshake headers, then closes.
		 */
		static Mono<Void> headers(WebSocketSession session) {
			HttpHeaders headers = session.getHandshakeInfo().getHeaders();
			String seen = Stream
				.of("x-custom", "x-forwarded-prefix", "sec-websocket-key", "sec-websocket-version", "upgrade")
				.map((name) -> name + "=" + headers.get(name))
				.collect(Collectors.joining(" "));
			return session.send(Mono.just(session.textMessage(seen)));
		}

		static Mono<Void> closeWith4002(WebSocketSession session) {
			return session.receive().concatMap((message) -> {
				DataBufferUtils.release(message.getPayload());
				return session.close(new CloseStatus(4002, "done"));
			}).then();
		}

		/**
		 * Speaks two subprotocols and answers the one it was opened with.
		 */
		static final class SubProtocols implements WebSocketHandler {

			@Override
			public List<String> getSubProtocols() {
				return List.of("v2.echo", "v1.echo");
			}

			@Override
			public Mono<Void> handle(WebSocketSession session) {
				return session
					.send(Mono.just(session.textMessage(String.valueOf(session.getHandshakeInfo().getSubProtocol()))));
			}

		}

	}

}
