package io.swaggersocket.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an agent answers cannot frame the gateway's HTTP/1.1 response: a
 * {@code content-length} that disagrees with the body never delimits what the hub writes
 * (no second response injected on a keep-alive connection, no caller left waiting), and
 * header fields HTTP/1.1 cannot carry get RESET PROTOCOL_ERROR and a 502 problem instead
 * of a 500.
 */
@ExtendWith(OutputCaptureExtension.class)
class GatewayResponseFramingIntegrationTests {

	/** A bound for "it does not hang". */
	private static final Duration NO_HANG = Duration.ofSeconds(10);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hub;

	@BeforeAll
	static void start() {
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void contentLengthShorterThanTheBodyNeverInjectsASecondResponse() throws Exception {
		String smuggled = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nowned";
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", "5")), "hello" + smuggled);
			RawHttpConnection.Head head = http.readHead();
			String rest = (head.status() == 502) ? "" : http.readBody(head, (count) -> {
			}).text() + http.readRemainder();
			assertThat(rest).doesNotContain("HTTP/1.1").doesNotContain("owned");
			assertThat(head.status()).isEqualTo(502);
			// the stream is released (with RESET CANCEL unless the agent's END_STREAM
			// came first)
			SwaggerSocketConnection connection = registry(hub).find(agent.id).orElseThrow();
			await().atMost(NO_HANG).until(() -> connection.activeStreams() == 0);
		}
	}

	@Test
	void contentLengthLongerThanTheBodyAbortsTheResponseInsteadOfLeavingTheCallerWaiting() throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", "100")), "only ten!!");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.fields()).containsEntry("content-length", "100");
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
			});
			// the bytes written before the abort may or may not have left: never more
			// than were sent
			assertThat("only ten!!").startsWith(body.text());
			assertThat(body.complete()).isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
	}

	@Test
	void contentLengthThatMatchesTheBodyIsKeptAndTheConnectionStaysUsable() throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", "10")), "0123456789");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.fields()).containsEntry("content-length", "10");
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
			});
			assertThat(body.text()).isEqualTo("0123456789");
			assertThat(body.complete()).isTrue();

			http.sendHead("GET /peers/no-such-agent/items HTTP/1.1\r\nHost: 127.0.0.1");
			assertThat(http.readHead().status()).isEqualTo(404);
		}
	}

	@Test
	void contentLengthListOfEqualValuesIsRelayedAsOneNumber() throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", "10, 10"),
					new Header("content-length", "10")), "0123456789");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.fields()).containsEntry("content-length", "10");
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
			});
			assertThat(body.text()).isEqualTo("0123456789");
			assertThat(body.complete()).isTrue();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "ten", "-1", "5, 6", "" })
	void invalidContentLengthIsA502Problem(String contentLength, CapturedOutput output) throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", contentLength)), "hello");
			assertBadGatewayProblem(http);
			SwaggerSocketConnection connection = registry(hub).find(agent.id).orElseThrow();
			await().atMost(NO_HANG).until(() -> connection.activeStreams() == 0);
		}
		assertThat(output).doesNotContain(" ERROR ");
	}

	@ParameterizedTest
	@ValueSource(strings = { "bad name", "x(y)", "naïve", "x:y" })
	void headerNameHttpCannotCarryResetsTheStreamAndIsA502Problem(String name, CapturedOutput output) throws Exception {
		assertInvalidFieldRejected(new Header(name, "value"), output);
	}

	@ParameterizedTest
	@ValueSource(strings = { "a\r\nset-cookie: stolen=1", "a\nb", "a\rb", "nul\0byte", "bell\u0007" })
	void headerValueHttpCannotCarryResetsTheStreamAndIsA502Problem(String value, CapturedOutput output)
			throws Exception {
		assertInvalidFieldRejected(new Header("x-injected", value), output);
	}

	/**
	 * Whitespace around a value is not part of it; other text passes as HTTP/1.1 can
	 * write it.
	 */
	@ParameterizedTest
	@ValueSource(strings = { " leading", "trailing\t", "tab\tinside", "gr\u00fc\u00df", "\u4e16\u754c" })
	void headerValueHttpCanCarryIsRelayed(String value, CapturedOutput output) throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("x-value", value)), "hello");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.fields()).containsKey("x-value");
			assertThat(http.readBody(head, (count) -> {
			}).text()).isEqualTo("hello");
		}
		assertThat(output).doesNotContain("IllegalArgumentException").doesNotContain(" ERROR ");
	}

	@Test
	void requestWithAFieldHttpCannotCarryIsResetBeforeReachingTheApplication() {
		try (RawAgent agent = RawAgent.connect()) {
			agent.socket.send(new Frame.Headers(1, true, List.of(new Header(":method", "GET"),
					new Header(":path", "/fn/echo?q=1"), new Header("x-injected", "a\r\nauthorization: Basic YTpi"))));
			assertThat(agent.socket.awaitFrame((frame) -> frame.streamId() == 1))
				.isEqualTo(new Frame.Reset(1, ErrorCode.PROTOCOL_ERROR));
			agent.socket.send(new Frame.Headers(3, true,
					List.of(new Header(":method", "GET"), new Header(":path", "/fn/echo?q=2"))));
			assertThat(agent.socket.awaitFrame((frame) -> frame.streamId() == 3)).isInstanceOfSatisfying(
					Frame.Headers.class,
					(headers) -> assertThat(headers.headers()).contains(new Header(":status", "200")));
		}
	}

	@Test
	void webClientResponseWithAFieldHttpCannotCarryFailsWithAStreamReset() {
		try (RawAgent agent = RawAgent.connect()) {
			SwaggerSocketConnection connection = registry(hub).find(agent.id).orElseThrow();
			Mono<String> call = hub.getBean(SwaggerSocketWebClients.class)
				.webClient(connection)
				.get()
				.uri("/items")
				.retrieve()
				.bodyToMono(String.class);
			CompletableFuture<String> result = call.toFuture();
			agent.answer(List.of(new Header(":status", "200"), new Header("x-bad", "nul\0")), "hello");
			assertThat(result).failsWithin(NO_HANG)
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOfSatisfying(SwaggerSocketStreamResetException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR));
			assertThat(agent.received()).contains(new Frame.Reset(agent.stream, ErrorCode.PROTOCOL_ERROR));
		}
	}

	@Test
	void answerToHeadKeepsItsContentLengthAndRelaysNoBody() throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("HEAD /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), new Header("content-length", "1234")), "smuggled");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			assertThat(head.fields()).containsEntry("content-length", "1234");
			http.sendHead("GET /peers/no-such-agent/items HTTP/1.1\r\nHost: 127.0.0.1");
			assertThat(http.readHead().status()).isEqualTo(404);
		}
	}

	@Test
	void bodyOfA204IsNeverRelayed() throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "204")), "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nowned");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(204);
			http.sendHead("GET /peers/no-such-agent/items HTTP/1.1\r\nHost: 127.0.0.1");
			RawHttpConnection.Head next = http.readHead();
			assertThat(next.status()).isEqualTo(404);
		}
	}

	private void assertInvalidFieldRejected(Header field, CapturedOutput output) throws Exception {
		try (RawAgent agent = RawAgent.connect();
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(hub), NO_HANG)) {
			http.sendHead("GET /peers/" + agent.id + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			agent.answer(List.of(new Header(":status", "200"), field), "hello");
			String problem = assertBadGatewayProblem(http);
			assertThat(problem).doesNotContain("stolen").doesNotContain("\u0007");
			assertThat(agent.received()).contains(new Frame.Reset(agent.stream, ErrorCode.PROTOCOL_ERROR));
		}
		assertThat(output).doesNotContain("IllegalArgumentException").doesNotContain(" ERROR ");
	}

	private static String assertBadGatewayProblem(RawHttpConnection http) throws Exception {
		RawHttpConnection.Head head = http.readHead();
		assertThat(head.status()).isEqualTo(502);
		assertThat(head.fields()).containsEntry("content-type", "application/problem+json");
		RawHttpConnection.Body body = http.readBody(head, (count) -> {
		});
		assertThat(body.complete()).isTrue();
		assertThat(body.text()).contains("\"status\":502");
		return body.text();
	}

	/**
	 * An agent speaking the protocol by hand: it answers the gateway's request with
	 * exactly the frames a test gives it.
	 */
	private static final class RawAgent implements AutoCloseable {

		final RawWebSocketClient socket;

		final String id;

		int stream;

		private RawAgent(RawWebSocketClient socket, String id) {
			this.socket = socket;
			this.id = id;
		}

		static RawAgent connect() {
			int before = events(hub).events(SwaggerSocketConnectedEvent.class).size();
			RawWebSocketClient socket = RawWebSocketClient.connect(URI.create(socketUrl(hub)), FrameCodec.SUBPROTOCOL);
			socket.send(new Frame.Hello("{\"metadata\":{}}"));
			socket.awaitFrame((frame) -> frame instanceof Frame.Welcome);
			socket.send(new Frame.Ready());
			String id = events(hub).await(SwaggerSocketConnectedEvent.class, before + 1, NO_HANG).getInfo().id();
			return new RawAgent(socket, id);
		}

		/**
		 * Wait for the gateway's request, then answer it: HEADERS, the body as one DATA,
		 * END_STREAM.
		 */
		void answer(List<Header> headers, String body) {
			this.stream = this.socket.awaitFrame((frame) -> frame instanceof Frame.Headers).streamId();
			this.socket.send(new Frame.Headers(this.stream, false, headers));
			this.socket.send(new Frame.Data(this.stream, true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))));
		}

		List<Frame> received() {
			this.socket.awaitFrame((frame) -> frame instanceof Frame.Reset);
			return new ArrayList<>(this.socket.awaitFrames(1));
		}

		@Override
		public void close() {
			this.socket.close();
		}

	}

}
