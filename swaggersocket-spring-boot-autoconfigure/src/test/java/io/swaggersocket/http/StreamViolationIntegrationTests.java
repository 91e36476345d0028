package io.swaggersocket.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw peer breaking the stream and flow-control rules of docs/PROTOCOL.md sections 6
 * and 7 gets the documented RESET or close code, and the server carries on.
 */
class StreamViolationIntegrationTests {

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	@BeforeAll
	static void start() {
		server = apps.server("swaggersocket.limits.initial-stream-window=64KB",
				"swaggersocket.limits.connection-window=128KB");
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void dataOnAStreamNeverOpenedClosesWith1002() throws Exception {
		try (RawWebSocketClient raw = handshake()) {
			raw.send(new Frame.Data(7, true, ByteBuffer.wrap(new byte[] { 1 })));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
		assertFailedWithProtocolError();
	}

	@Test
	void headersReusingAStreamIdClosesWith1002() throws Exception {
		try (RawWebSocketClient raw = handshake()) {
			raw.send(new Frame.Headers(3, true, get("/fn/echo?q=1")));
			raw.awaitFrames(3);
			raw.send(new Frame.Headers(1, true, get("/fn/echo?q=2")));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
	}

	@Test
	void dataBeyondTheStreamWindowResetsOnlyThatStreamWithFlowControlError() {
		try (RawWebSocketClient raw = handshake()) {
			raw.send(new Frame.Headers(1, false, post("/mvc/hold")));
			byte[] chunk = new byte[16 * 1024];
			// the stream window is 64 KiB and the handler reads nothing: the fifth chunk
			// is too many
			for (int i = 0; i < 5; i++) {
				raw.send(new Frame.Data(1, false, ByteBuffer.wrap(chunk)));
			}
			assertThat(raw.awaitFrames(2).get(1)).isEqualTo(new Frame.Reset(1, ErrorCode.FLOW_CONTROL_ERROR));
			raw.send(new Frame.Headers(3, true, get("/fn/echo?q=alive")));
			Frame answer = raw.awaitFrame((frame) -> frame.streamId() == 3);
			assertThat(answer).isInstanceOfSatisfying(Frame.Headers.class,
					(headers) -> assertThat(headers.headers()).contains(new Header(":status", "200")));
		}
	}

	@Test
	void dataBeyondTheConnectionWindowClosesWith1002() throws Exception {
		try (RawWebSocketClient raw = handshake()) {
			// handlers that never read their bodies: nothing is consumed, no credit comes
			// back
			raw.send(new Frame.Headers(1, false, post("/mvc/hold")));
			raw.send(new Frame.Headers(3, false, post("/mvc/hold")));
			raw.send(new Frame.Headers(5, false, post("/mvc/hold")));
			byte[] chunk = new byte[16 * 1024];
			// each stream within its 64 KiB window, together over the 128 KiB connection
			// window
			for (int id : new int[] { 1, 1, 1, 1, 3, 3, 3, 3, 5 }) {
				raw.send(new Frame.Data(id, false, ByteBuffer.wrap(chunk)));
			}
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
	}

	@Test
	void malformedPseudoHeadersResetTheStreamWithProtocolError() {
		try (RawWebSocketClient raw = handshake()) {
			raw.send(new Frame.Headers(1, true, List.of(new Header(":method", "GET"))));
			raw.send(new Frame.Headers(3, true,
					List.of(new Header("accept", "*/*"), new Header(":method", "GET"), new Header(":path", "/"))));
			raw.send(new Frame.Headers(5, true, List.of(new Header(":method", "GET"), new Header(":path", "/"),
					new Header(":authority", "elsewhere"))));
			for (int id : new int[] { 1, 3, 5 }) {
				assertThat(raw.awaitFrame((frame) -> frame.streamId() == id))
					.isEqualTo(new Frame.Reset(id, ErrorCode.PROTOCOL_ERROR));
			}
		}
	}

	@Test
	void resetForAnUnknownStreamIsIgnored() {
		try (RawWebSocketClient raw = handshake()) {
			raw.send(new Frame.Reset(99, ErrorCode.CANCEL));
			raw.send(new Frame.WindowUpdate(77, 100));
			raw.send(new Frame.Headers(1, true, get("/fn/echo?q=still")));
			List<Frame> frames = raw.awaitFrames(3);
			assertThat(frames.get(1)).isInstanceOfSatisfying(Frame.Headers.class,
					(headers) -> assertThat(headers.headers()).contains(new Header(":status", "200")));
		}
	}

	private static void assertFailedWithProtocolError() {
		SwaggerSocketFailedEvent failed = events(server).events(SwaggerSocketFailedEvent.class)
			.stream()
			.reduce((first, second) -> second)
			.orElseThrow();
		assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
	}

	private static RawWebSocketClient handshake() {
		RawWebSocketClient raw = RawWebSocketClient.connect(URI.create(socketUrl(server)), FrameCodec.SUBPROTOCOL);
		int before = events(server).events(SwaggerSocketConnectedEvent.class).size();
		raw.send(new Frame.Hello("{\"metadata\":{}}"));
		raw.awaitFrames(1);
		raw.send(new Frame.Ready());
		events(server).await(SwaggerSocketConnectedEvent.class, before + 1, Duration.ofSeconds(5));
		return raw;
	}

	private static List<Header> get(String path) {
		return List.of(new Header(":method", "GET"), new Header(":path", path));
	}

	private static List<Header> post(String path) {
		return List.of(new Header(":method", "POST"), new Header(":path", path),
				new Header("content-type", "application/octet-stream"));
	}

}
