package io.swaggersocket.connection;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The close handshake as a peer written from RFC 6455 sees it, over a bare socket: the
 * close frame is well-formed, and the server waits for the peer's close frame before it
 * ends the TCP connection.
 */
class ClosingHandshakeIntegrationTests {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static URI uri;

	@BeforeAll
	static void startServer() {
		server = apps.server();
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stopServer() {
		apps.close();
	}

	@Test
	void closeReasonOfANonAsciiHelloFitsIn123BytesOfUtf8() throws Exception {
		try (BareWebSocket peer = BareWebSocket.connect(uri, READ_TIMEOUT)) {
			// invalid JSON whose error message quotes the non-ASCII token
			peer.send(new Frame.Hello("{\"metadata\":" + "é".repeat(200) + "}"));
			BareWebSocket.WsFrame close = peer.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
			assertThat(close.lengthIndicator()).isLessThanOrEqualTo(125);
			assertThat(close.closeReason().length).isLessThanOrEqualTo(CloseCodes.MAX_REASON_BYTES);
			String reason = strictUtf8(close.closeReason());
			assertThat(reason).startsWith("HELLO payload is not valid JSON").contains("é");
		}
	}

	/**
	 * A peer may have frames in flight when the server's close frame reaches it: the
	 * server must read on until the peer's close frame, then end TCP with a FIN. Closing
	 * at once would answer those frames with a reset, and the peer would see 1006 instead
	 * of the close.
	 */
	@Test
	void serverWaitsForThePeersCloseFrameBeforeEndingTcp() throws Exception {
		try (BareWebSocket peer = BareWebSocket.connect(uri, READ_TIMEOUT)) {
			peer.handshake("{\"metadata\":{\"name\":\"late-sender\"}}");
			SwaggerSocketConnection connection = await().atMost(READ_TIMEOUT)
				.until(() -> registry(server).findByMetadata("name", "late-sender").stream().findFirst(),
						java.util.Optional::isPresent)
				.get();
			connection.close().subscribe();
			BareWebSocket.WsFrame close = peer.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(CloseCodes.NORMAL);
			// the peer goes on sending what it had queued before it answers the close: a
			// fixed amount, so that how fast this machine writes does not decide how long
			// the server needs to read it (a flood could outlast the close grace period)
			for (int i = 0; i < 20_000; i++) {
				peer.send(new Frame.WindowUpdate(0, 1));
			}
			peer.sendClose(CloseCodes.NORMAL);
			assertThat(peer.readsEndOfStream()).isTrue();
		}
	}

	@Test
	void serverEndsTcpWhenThePeerNeverAnswersItsClose() throws Exception {
		try (BareWebSocket peer = BareWebSocket.connect(uri, READ_TIMEOUT)) {
			peer.handshake("{\"metadata\":{\"name\":\"silent\"}}");
			SwaggerSocketConnection connection = await().atMost(READ_TIMEOUT)
				.until(() -> registry(server).findByMetadata("name", "silent").stream().findFirst(),
						java.util.Optional::isPresent)
				.get();
			connection.close().subscribe();
			assertThat(peer.readUntilClose().closeCode()).isEqualTo(CloseCodes.NORMAL);
			// within the close grace (2 s) and the read timeout (5 s)
			assertThat(peer.readsEndOfStream()).isTrue();
		}
	}

	@Test
	void applicationCloseSendsGoAwayThenNormalClosure() throws Exception {
		try (BareWebSocket peer = BareWebSocket.connect(uri, READ_TIMEOUT)) {
			peer.handshake("{\"metadata\":{\"name\":\"closed-by-app\"}}");
			SwaggerSocketConnection connection = await().atMost(READ_TIMEOUT)
				.until(() -> registry(server).findByMetadata("name", "closed-by-app").stream().findFirst(),
						java.util.Optional::isPresent)
				.get();
			connection.close().subscribe();
			BareWebSocket.WsFrame goAway = peer.readFrame();
			assertThat(goAway.frame()).isInstanceOfSatisfying(Frame.GoAway.class, (frame) -> {
				assertThat(frame.lastStreamId()).isZero();
				assertThat(frame.errorCode()).isEqualTo(io.swaggersocket.protocol.ErrorCode.NO_ERROR);
			});
			assertThat(peer.readFrame().closeCode()).isEqualTo(CloseCodes.NORMAL);
			peer.sendClose(CloseCodes.NORMAL);
			assertThat(peer.readsEndOfStream()).isTrue();
		}
	}

	private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
		return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
	}

}
