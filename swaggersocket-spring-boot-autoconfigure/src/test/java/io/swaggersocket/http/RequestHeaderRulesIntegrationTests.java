package io.swaggersocket.http;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request-side rules of docs/PROTOCOL.md 4.2 and the order of checks of section 12.1,
 * as a raw peer sees them: each malformed request gets its RESET and the connection
 * carries on.
 */
class RequestHeaderRulesIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static URI uri;

	@BeforeAll
	static void start() {
		ConfigurableApplicationContext server = apps.server();
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void pathNotInOriginFormOrEmptyMethodIsResetWithProtocolError() throws Exception {
		List<List<Header>> malformed = List.of(request("GET", "http://example.com/mvc/echo"), request("OPTIONS", "*"),
				request("GET", ""), request("GET", "mvc/echo"), request("", "/mvc/echo"));
		try (BareWebSocket peer = open()) {
			int id = 1;
			for (List<Header> headers : malformed) {
				peer.send(new Frame.Headers(id, true, headers));
				assertThat(nextStreamFrame(peer)).isEqualTo(new Frame.Reset(id, ErrorCode.PROTOCOL_ERROR));
				id += 2;
			}
			peer.send(new Frame.Headers(id, true, request("GET", "/mvc/echo?q=ok")));
			assertThat(nextStreamFrame(peer)).isInstanceOfSatisfying(Frame.Headers.class,
					(headers) -> assertThat(Header.status(headers.headers())).isEqualTo(200));
		}
	}

	@Test
	void oversizedBlockIsResetForItsSizeBeforeItsFieldsAreLookedAt() throws Exception {
		try (BareWebSocket peer = open()) {
			// no pseudo-header fields at all, and over maxHeaderBlockSize (16384)
			peer.send(new Frame.Headers(1, true, List.of(new Header("x-big", "x".repeat(20_000)))));
			assertThat(nextStreamFrame(peer)).isEqualTo(new Frame.Reset(1, ErrorCode.HEADERS_TOO_LARGE));
		}
	}

	@Test
	void streamStateIsCheckedBeforeThePseudoHeaderFields() throws Exception {
		try (BareWebSocket peer = open()) {
			peer.send(new Frame.Headers(3, true, request("GET", "/mvc/echo")));
			nextStreamFrame(peer);
			// reuses id 3 and has no :path: the reused id decides, close 1002
			peer.send(new Frame.Headers(3, true, List.of(new Header(Header.METHOD, "GET"))));
			assertThat(peer.readUntilClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
	}

	private static BareWebSocket open() throws Exception {
		BareWebSocket peer = BareWebSocket.connect(uri, TIMEOUT);
		peer.handshake("{}");
		return peer;
	}

	private static List<Header> request(String method, String path) {
		return List.of(new Header(Header.METHOD, method), new Header(Header.PATH, path));
	}

	/**
	 * The next HEADERS or RESET, skipping DATA, WINDOW_UPDATE and WebSocket control
	 * frames.
	 */
	private static Frame nextStreamFrame(BareWebSocket peer) throws Exception {
		while (true) {
			BareWebSocket.WsFrame frame = peer.readFrame();
			if (frame.opcode() == BareWebSocket.BINARY
					&& (frame.frame() instanceof Frame.Headers || frame.frame() instanceof Frame.Reset)) {
				return frame.frame();
			}
		}
	}

}
