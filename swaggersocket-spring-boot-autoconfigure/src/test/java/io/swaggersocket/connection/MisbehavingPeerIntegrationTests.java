package io.swaggersocket.connection;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw WebSocket client breaks the protocol in every way the handshake and frame rules
 * name; each gets its documented close code and a log line, while a well-behaved client
 * connected to the same server is unaffected.
 */
@ExtendWith(OutputCaptureExtension.class)
class MisbehavingPeerIntegrationTests {

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static ConfigurableApplicationContext client;

	private static String goodId;

	private static URI uri;

	@BeforeAll
	static void startApps() {
		server = apps.server("swaggersocket.limits.handshake-timeout=1s", "swaggersocket.limits.max-metadata-size=1KB");
		client = apps.client(socketUrl(server), "swaggersocket.client.metadata.name=good");
		goodId = events(client).await(SwaggerSocketConnectedEvent.class).getInfo().id();
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stopApps() {
		apps.close();
	}

	@AfterEach
	void wellBehavedClientIsUnaffected() {
		EventRecorder clientEvents = events(client);
		assertThat(clientEvents.events(SwaggerSocketFailedEvent.class)).isEmpty();
		assertThat(clientEvents.events(SwaggerSocketClosedEvent.class)).isEmpty();
		assertThat(registry(server).list()).extracting(SwaggerSocketConnection::id).containsExactly(goodId);
		assertThat(registry(server).find(goodId).get().isOpen()).isTrue();
		// nothing half-registered: peers that never completed the handshake produced no
		// event
		assertThat(events(server).events()).allSatisfy((event) -> assertThat(
				event.getInfo().id().equals(goodId) || "rogue".equals(event.getInfo().metadata().get("name")))
			.isTrue());
	}

	@Test
	void textMessageClosesWith1003(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.sendText("GET / HTTP/1.1");
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
		}
		assertThat(output).contains("Protocol error, closing with 1003: Text messages are not part of the protocol");
	}

	@Test
	void garbageBytesCloseWith1002(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.sendBytes(ByteBuffer.wrap(new byte[] { 0x42, 0x13, 0x37 }));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
		assertThat(output)
			.contains("Protocol error, closing with 1002: Frame of 3 bytes is shorter than the 10-byte header");
	}

	@Test
	void unknownFrameTypeClosesWith1002(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.sendBytes(ByteBuffer.wrap(new byte[] { 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0 }));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
		}
		assertThat(output).contains("Unknown frame type 0x7f");
	}

	@Test
	void streamFrameBeforeTheHandshakeClosesWith4001(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.send(new Frame.Headers(1, true, List.of(new Header(":method", "GET"), new Header(":path", "/"))));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
		}
		assertThat(output).contains("Handshake failed: Expected HELLO but received HEADERS");
	}

	@Test
	void secondHelloDuringTheHandshakeClosesWith4001(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.send(new Frame.Hello("{\"metadata\":{}}"));
			assertThat(raw.awaitFrames(1).get(0)).isInstanceOf(Frame.Welcome.class);
			raw.send(new Frame.Hello("{\"metadata\":{}}"));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
		}
		assertThat(output).contains("Handshake failed: Expected READY but received HELLO");
	}

	@Test
	void secondHelloAfterTheHandshakeClosesWith4001AndFailsTheConnection(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.send(new Frame.Hello("{\"metadata\":{\"name\":\"rogue\"}}"));
			raw.awaitFrames(1);
			raw.send(new Frame.Ready());
			List<SwaggerSocketConnectedEvent> connected = events(server).events(SwaggerSocketConnectedEvent.class);
			raw.send(new Frame.Hello("{\"metadata\":{\"name\":\"rogue\"}}"));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
			assertThat(connected).isNotEmpty();
		}
		assertThat(output).contains("Received HELLO after the handshake completed");
		// this one did connect, so it has a connected and a failed event on the server
		EventRecorder serverEvents = events(server);
		SwaggerSocketFailedEvent failed = serverEvents.await(SwaggerSocketFailedEvent.class);
		assertThat(failed.getInfo().metadata()).containsEntry("name", "rogue");
		assertThat(failed.getReason()).isEqualTo(FailureReason.PROTOCOL_ERROR);
		assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
	}

	@Test
	void silenceClosesWith4000AfterTheHandshakeTimeout(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.HANDSHAKE_TIMEOUT);
		}
		assertThat(output).contains("Handshake not completed within 1000 ms");
	}

	@Test
	void malformedHelloClosesWith4001(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.send(new Frame.Hello("{\"metadata\":[1,2,3]}"));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION);
		}
		assertThat(output).contains("HELLO metadata must be a JSON object");
	}

	@Test
	void oversizedMetadataClosesWith1009(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, FrameCodec.SUBPROTOCOL)) {
			raw.send(new Frame.Hello("{\"metadata\":{\"blob\":\"" + "x".repeat(2000) + "\"}}"));
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
		}
		assertThat(output).contains("exceeds the limit of 1024");
	}

	/**
	 * A frame that announces 200 KiB, over the limit: the server closes with 1009 and, as
	 * RFC 6455 section 7.1.1 asks, ends TCP only once the peer has ended its side. A peer
	 * still writing the frame must not meet a reset instead of the close.
	 */
	@Test
	void messageLargerThanTheFrameLimitClosesWith1009() throws Exception {
		int tooBig = 200 * 1024;
		try (BareWebSocket bare = BareWebSocket.connect(uri, CLOSE_WAIT)) {
			// a frame over the limit, and the first part of its payload
			byte[] chunk = new byte[16 * 1024];
			bare.sendBinaryFrameHeader(tooBig).sendRaw(chunk);

			assertThat(bare.readFrame().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			for (int sent = chunk.length; sent < tooBig; sent += chunk.length) {
				bare.sendRaw(chunk);
			}
			bare.sendClose(CloseCodes.MESSAGE_TOO_BIG);
			assertThat(bare.readsEndOfStream()).isTrue();
		}
	}

	@Test
	void wrongSubprotocolClosesWith4002(CapturedOutput output) throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri, "swaggersocket.v2")) {
			assertThat(raw.subprotocol()).isEmpty();
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.UNSUPPORTED_PROTOCOL_VERSION);
		}
		assertThat(output).contains("subprotocol null offered instead of swaggersocket.v1");
	}

	@Test
	void missingSubprotocolClosesWith4002() throws Exception {
		try (RawWebSocketClient raw = RawWebSocketClient.connect(uri)) {
			assertThat(raw.awaitCloseCode(CLOSE_WAIT)).isEqualTo(CloseCodes.UNSUPPORTED_PROTOCOL_VERSION);
		}
	}

}
