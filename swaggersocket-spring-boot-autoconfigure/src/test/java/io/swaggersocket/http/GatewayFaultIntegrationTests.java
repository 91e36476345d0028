package io.swaggersocket.http;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stream that ends without END_STREAM, in any way (TCP cut or reset of the agent's
 * connection, a peer RESET of any code, a close frame, GOAWAY, a heartbeat failure),
 * never looks complete: through the gateway the outside HTTP/1.1 response is aborted (no
 * terminating chunk, the connection closed), and a {@code WebClient} body errors. Uploads
 * cut off midway end both callers with an error, and nothing hangs.
 */
class GatewayFaultIntegrationTests {

	/** A bound for "it does not hang", far above what any of these takes. */
	private static final Duration NO_HANG = Duration.ofSeconds(15);

	private static final long LARGE = 256L * 1024 * 1024;

	private static final long UNDER_WAY = 1024 * 1024;

	private static final String[] HEARTBEAT = { "swaggersocket.heartbeat.interval=200ms",
			"swaggersocket.heartbeat.timeout=1s" };

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
	void agentConnectionResetMidDownloadAbortsTheOutsideResponse() throws Exception {
		assertDownloadAborted(this::resetProxy);
	}

	@Test
	void agentConnectionCutMidDownloadAbortsTheOutsideResponse() throws Exception {
		assertDownloadAborted(this::cutProxy);
	}

	@Test
	void agentHeartbeatFailureMidDownloadAbortsTheOutsideResponse() throws Exception {
		assertDownloadAborted(() -> this.proxy.freeze(), HEARTBEAT);
	}

	@ParameterizedTest
	@EnumSource(value = ErrorCode.class, names = { "NO_ERROR", "CANCEL", "INTERNAL_ERROR", "REFUSED_STREAM" })
	void peerResetBeforeTheEndOfTheBodyAbortsTheOutsideResponse(ErrorCode code) throws Exception {
		assertRawAgentFaultAbortsTheOutsideResponse((agent, stream) -> agent.send(new Frame.Reset(stream, code)));
	}

	@Test
	void peerCloseFrameBeforeTheEndOfTheBodyAbortsTheOutsideResponse() throws Exception {
		assertRawAgentFaultAbortsTheOutsideResponse((agent, stream) -> agent.sendClose(CloseCodes.NORMAL, "bye"));
	}

	@Test
	void peerGoAwayExcludingTheStreamBeforeTheEndOfTheBodyAbortsTheOutsideResponse() throws Exception {
		assertRawAgentFaultAbortsTheOutsideResponse(
				(agent, stream) -> agent.send(new Frame.GoAway(0, ErrorCode.PROTOCOL_ERROR, "gone")));
	}

	@Test
	void peerDroppingTheTransportBeforeTheEndOfTheBodyAbortsTheOutsideResponse() throws Exception {
		assertRawAgentFaultAbortsTheOutsideResponse((agent, stream) -> agent.close());
	}

	@Test
	void webClientBodyErrorsWhenTheConnectionIsResetMidBody() throws Exception {
		assertWebClientBodyErrors(this::resetProxy);
	}

	@Test
	void webClientBodyErrorsWhenTheConnectionIsCutMidBody() throws Exception {
		assertWebClientBodyErrors(this::cutProxy);
	}

	/**
	 * An application that relays a body it reads with a {@code WebClient} over the socket
	 * into its own HTTP response (a proxy route, say) must see its response aborted too,
	 * not ended as if its own client had gone away.
	 */
	@Test
	void applicationRelayingAWebClientBodyAbortsItsResponseWhenTheConnectionIsReset() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		SwaggerSocketConnection agent = agentThroughProxy(hub);
		WebClient toAgent = hub.getBean(SwaggerSocketWebClients.class).webClient(agent);
		RouterFunction<ServerResponse> relay = RouterFunctions.route()
			.GET("/relay", (request) -> ServerResponse.ok()
				.body(toAgent.get().uri("/stream/download?size={size}", LARGE).retrieve().bodyToFlux(DataBuffer.class),
						DataBuffer.class))
			.build();
		DisposableServer relayServer = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(relay)))
			.bindNow();
		try (RawHttpConnection http = RawHttpConnection.connect(relayServer.port(), NO_HANG)) {
			http.sendHead("GET /relay HTTP/1.1\r\nHost: 127.0.0.1");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			boolean[] injected = { false };
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
				if (count > UNDER_WAY && !injected[0]) {
					injected[0] = true;
					resetProxy();
				}
			});
			assertThat(body.length()).isLessThan(LARGE);
			assertThat(body.complete()).as("a truncated body must not end like a complete one").isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
		finally {
			relayServer.disposeNow();
		}
	}

	@ParameterizedTest
	@EnumSource(value = ErrorCode.class, names = { "NO_ERROR", "CANCEL", "INTERNAL_ERROR" })
	void webClientBodyErrorsWhenThePeerResetsMidBody(ErrorCode code) throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		try (RawWebSocketClient agent = rawAgent(hub)) {
			SwaggerSocketConnection connection = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
			CompletableFuture<Throwable> outcome = new CompletableFuture<>();
			AtomicLong received = new AtomicLong();
			hub.getBean(SwaggerSocketWebClients.class)
				.webClient(connection)
				.get()
				.uri("/anything")
				.retrieve()
				.bodyToFlux(DataBuffer.class)
				.subscribe((buffer) -> received.addAndGet(release(buffer)), outcome::complete,
						() -> outcome.complete(null));
			int stream = agent.awaitFrame((frame) -> frame instanceof Frame.Headers).streamId();
			agent.send(new Frame.Headers(stream, false, List.of(new Header(":status", "200"))));
			agent.send(new Frame.Data(stream, false, ByteBuffer.wrap(new byte[100])));
			await().atMost(NO_HANG).until(() -> received.get() == 100);
			agent.send(new Frame.Reset(stream, code));
			Throwable end = outcome.get(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(end).as("the body's end").isNotNull();
			assertThat(Causes.root(end)).isInstanceOf(SwaggerSocketStreamResetException.class);
		}
	}

	@Test
	void agentConnectionResetMidUploadFailsTheOutsideCallAndEndsTheAgentHandler() throws Exception {
		assertUploadFails(this::resetProxy);
	}

	@Test
	void agentConnectionCutMidUploadFailsTheOutsideCallAndEndsTheAgentHandler() throws Exception {
		assertUploadFails(this::cutProxy);
	}

	private void assertUploadFails(Fault fault) throws Exception {
		ConfigurableApplicationContext hub = this.apps.server("swaggersocket.server.gateway.enabled=true");
		SwaggerSocketConnection agent = agentThroughProxy(hub);
		TestEndpoints.signals.clear();
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		// the outside caller uploads 256 MiB, produced as it is sent
		WebClient.create("http://127.0.0.1:" + TestApplications.port(hub))
			.post()
			.uri("/peers/{id}/stream/upload", agent.id())
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(TestEndpoints.pattern(LARGE), DataBuffer.class)
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> response.statusCode().value() + " " + body))
			.subscribe(outcome::complete, outcome::complete);
		await().atMost(NO_HANG).until(() -> this.proxy.bytesToClient() > UNDER_WAY);

		fault.inject();

		Object result = outcome.get(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
		// before the agent answered: a 502 problem, or the hub gave up the upload
		// connection
		if (result instanceof String answer) {
			assertThat(answer).startsWith("502 ").contains("\"status\":502");
		}
		else {
			assertThat(result).isInstanceOf(Throwable.class);
		}
		await().atMost(NO_HANG).until(() -> TestEndpoints.signals.contains("upload interrupted"));
		assertThat(agent.activeStreams()).isZero();
	}

	private void assertDownloadAborted(Fault fault, String... properties) throws Exception {
		ConfigurableApplicationContext hub = this.apps.server(withGateway(properties));
		SwaggerSocketConnection agent = agentThroughProxy(hub, properties);
		try (RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead(
					"GET /peers/" + agent.id() + "/stream/download?size=" + LARGE + " HTTP/1.1\r\nHost: 127.0.0.1");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			boolean[] injected = { false };
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
				if (count > UNDER_WAY && !injected[0]) {
					injected[0] = true;
					fault.inject();
				}
			});
			assertThat(injected[0]).isTrue();
			assertThat(body.length()).isLessThan(LARGE);
			assertThat(body.complete()).as("a truncated body must not end like a complete one").isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
	}

	private void assertRawAgentFaultAbortsTheOutsideResponse(RawFault fault) throws Exception {
		ConfigurableApplicationContext hub = this.apps.server("swaggersocket.server.gateway.enabled=true");
		try (RawWebSocketClient agent = rawAgent(hub);
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			String id = events(hub).await(SwaggerSocketConnectedEvent.class).getInfo().id();
			http.sendHead("GET /peers/" + id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			int stream = agent.awaitFrame((frame) -> frame instanceof Frame.Headers).streamId();
			agent.send(new Frame.Headers(stream, false, List.of(new Header(":status", "200"))));
			agent.send(new Frame.Data(stream, false, ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8))));
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			boolean[] injected = { false };
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
				if (count == 7 && !injected[0]) {
					injected[0] = true;
					fault.inject(agent, stream);
				}
			});
			assertThat(body.text()).isEqualTo("partial");
			assertThat(body.complete()).as("a truncated body must not end like a complete one").isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
	}

	private void assertWebClientBodyErrors(Fault fault) throws Exception {
		ConfigurableApplicationContext hub = this.apps.server();
		SwaggerSocketConnection agent = agentThroughProxy(hub);
		CompletableFuture<Throwable> outcome = new CompletableFuture<>();
		AtomicLong received = new AtomicLong();
		hub.getBean(SwaggerSocketWebClients.class)
			.webClient(agent)
			.get()
			.uri("/stream/download?size={size}", LARGE)
			.retrieve()
			.bodyToFlux(DataBuffer.class)
			.subscribe((buffer) -> received.addAndGet(release(buffer)), outcome::complete,
					() -> outcome.complete(null));
		await().atMost(NO_HANG).until(() -> received.get() > UNDER_WAY);

		fault.inject();

		Throwable end = outcome.get(NO_HANG.toMillis(), TimeUnit.MILLISECONDS);
		assertThat(end).as("the body's end").isNotNull();
		assertThat(Causes.root(end)).isInstanceOf(SwaggerSocketConnectionClosedException.class);
		assertThat(received.get()).isLessThan(LARGE);
	}

	private SwaggerSocketConnection agentThroughProxy(ConfigurableApplicationContext hub, String... properties)
			throws IOException {
		this.proxy = new FreezableTcpProxy(TestApplications.port(hub));
		ConfigurableApplicationContext client = this.apps.client(socketUrl(this.proxy.port()), properties);
		SwaggerSocketConnection agent = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		return agent;
	}

	private static RawWebSocketClient rawAgent(ConfigurableApplicationContext hub) {
		RawWebSocketClient raw = RawWebSocketClient.connect(URI.create(socketUrl(hub)), FrameCodec.SUBPROTOCOL);
		raw.send(new Frame.Hello("{\"metadata\":{}}"));
		Frame welcome = raw.awaitFrame((frame) -> frame instanceof Frame.Welcome);
		Matcher id = Pattern.compile("\"connectionId\"\\s*:\\s*\"([^\"]+)\"").matcher(((Frame.Welcome) welcome).json());
		assertThat(id.find()).isTrue();
		raw.send(new Frame.Ready());
		events(hub).await(SwaggerSocketConnectedEvent.class);
		return raw;
	}

	private static String[] withGateway(String... properties) {
		String[] all = java.util.Arrays.copyOf(properties, properties.length + 1);
		all[properties.length] = "swaggersocket.server.gateway.enabled=true";
		return all;
	}

	private static int release(DataBuffer buffer) {
		int length = buffer.readableByteCount();
		DataBufferUtils.release(buffer);
		return length;
	}

	private void resetProxy() {
		try {
			this.proxy.reset();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void cutProxy() {
		try {
			this.proxy.cut();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@FunctionalInterface
	private interface Fault {

		void inject();

	}

	@FunctionalInterface
	private interface RawFault {

		void inject(RawWebSocketClient agent, int stream);

	}

}
