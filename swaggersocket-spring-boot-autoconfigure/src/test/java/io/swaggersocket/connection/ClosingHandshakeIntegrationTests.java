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

import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The close handshake as a peer written from RFC 6455 sees it, over a bare socket: the close
 * frame is well-formed, and the server waits for the peer's close frame before it ends the TCP
 * connection.
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

	private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
		return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
	}

}
