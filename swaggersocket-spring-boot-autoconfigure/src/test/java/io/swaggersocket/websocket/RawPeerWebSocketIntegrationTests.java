package io.swaggersocket.websocket;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer written from docs/PROTOCOL.md section 13 alone, as raw frames, opens WebSockets
 * to a hub's handlers: what it sends and what the hub answers is the document's.
 */
class RawPeerWebSocketIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TestApplications apps = new TestApplications();

	private RawWebSocketClient raw;

	private SwaggerSocketConnection peer;

	@AfterEach
	void close() {
		if (this.raw != null) {
			this.raw.close();
		}
		this.apps.close();
	}

	@Test
	void theHubAnnouncesWebSocketsAndEchoesTheDocumentedExchange() {
		String welcome = connect("swaggersocket.websocket.enabled=true");
		assertThat(welcome).contains("\"enableConnectProtocol\":1");
		this.raw.send(new Frame.Headers(1, false,
				List.of(new Header(":method", "CONNECT"), new Header(":protocol", "websocket"),
						new Header(":path", "/ws/echo"), new Header("sec-websocket-protocol", "echo.v1"))));
		Frame.Headers accepted = (Frame.Headers) this.raw
			.awaitFrame((frame) -> frame instanceof Frame.Headers headers && headers.streamId() == 1);
		assertThat(accepted.headers()).startsWith(new Header(":status", "200"))
			.contains(new Header("sec-websocket-protocol", "echo.v1"));
		assertThat(accepted.endStream()).isFalse();
		// the document's example: TEXT hello and PING hi in one DATA frame
		this.raw.send(new Frame.Data(1, false, hex("0100000005" + "68656c6c6f" + "0900000002" + "6869")));
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(received(1)).contains("010000000568656c6c6f").contains("0a000000026869"));
		// its close example: the hub answers with the same code, then ends its side
		this.raw.send(new Frame.Data(1, true, hex("0800000005" + "03e8" + "627965")));
		await().atMost(WAIT).until(() -> endedStream(1));
		assertThat(received(1)).endsWith("080000000503e8627965");
		await().atMost(WAIT).until(() -> this.peer.activeStreams() == 0);
	}

	@Test
	void aHubThatDoesNotAcceptWebSocketsResetsTheOpeningWithProtocolError() {
		String welcome = connect("swaggersocket.websocket.enabled=false");
		assertThat(welcome).doesNotContain("enableConnectProtocol");
		this.raw.send(new Frame.Headers(1, false, List.of(new Header(":method", "CONNECT"),
				new Header(":protocol", "websocket"), new Header(":path", "/ws/echo"))));
		assertThat(resetOf(1)).isEqualTo(ErrorCode.PROTOCOL_ERROR);
	}

	@Test
	void aProtocolWithAMethodOtherThanConnectIsAProtocolError() {
		connect();
		this.raw.send(new Frame.Headers(1, false, List.of(new Header(":method", "GET"),
				new Header(":protocol", "websocket"), new Header(":path", "/ws/echo"))));
		assertThat(resetOf(1)).isEqualTo(ErrorCode.PROTOCOL_ERROR);
	}

	@Test
	void aProtocolOtherThanWebSocketIsAnswered501() {
		connect();
		this.raw.send(new Frame.Headers(1, false, List.of(new Header(":method", "CONNECT"),
				new Header(":protocol", "webtransport"), new Header(":path", "/ws/echo"))));
		Frame.Headers answer = (Frame.Headers) this.raw
			.awaitFrame((frame) -> frame instanceof Frame.Headers headers && headers.streamId() == 1);
		assertThat(answer.headers()).startsWith(new Header(":status", "501"));
	}

	@Test
	void aRecordOfAnUnknownTypeClosesTheWebSocketWith1002() {
		connect();
		this.raw.send(new Frame.Headers(1, false, List.of(new Header(":method", "CONNECT"),
				new Header(":protocol", "websocket"), new Header(":path", "/ws/echo"))));
		this.raw.awaitFrame((frame) -> frame instanceof Frame.Headers headers && headers.streamId() == 1);
		this.raw.send(new Frame.Data(1, false, hex("0700000000")));
		await().atMost(WAIT).until(() -> endedStream(1));
		String close = received(1);
		assertThat(close).as("a CLOSE record").startsWith("08");
		assertThat(close.substring(10, 14)).as("its code").isEqualTo("03ea");
		// this side ends too; the hub then has nothing left of the stream
		this.raw.send(new Frame.Data(1, true, hex("")));
		await().atMost(WAIT).until(() -> this.peer.activeStreams() == 0);
	}

	private String connect(String... properties) {
		ConfigurableApplicationContext hub = this.apps.server(properties);
		int before = events(hub).events(SwaggerSocketConnectedEvent.class).size();
		this.raw = RawWebSocketClient.connect(URI.create(socketUrl(hub)), FrameCodec.SUBPROTOCOL);
		this.raw.send(new Frame.Hello("{\"metadata\":{},\"settings\":{}}"));
		Frame.Welcome welcome = (Frame.Welcome) this.raw.awaitFrames(1).get(0);
		this.raw.send(new Frame.Ready());
		this.peer = events(hub).await(SwaggerSocketConnectedEvent.class, before + 1, WAIT).getConnection();
		return welcome.json();
	}

	private ErrorCode resetOf(int streamId) {
		Frame.Reset reset = (Frame.Reset) this.raw
			.awaitFrame((frame) -> frame instanceof Frame.Reset candidate && candidate.streamId() == streamId);
		return reset.errorCode();
	}

	/** The DATA payload the hub sent on a stream so far, in hex. */
	private String received(int streamId) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (Frame frame : this.raw.awaitFrames(0)) {
			if (frame instanceof Frame.Data data && data.streamId() == streamId) {
				ByteBuffer payload = data.data().duplicate();
				byte[] chunk = new byte[payload.remaining()];
				payload.get(chunk);
				bytes.writeBytes(chunk);
			}
		}
		return HexFormat.of().formatHex(bytes.toByteArray());
	}

	private boolean endedStream(int streamId) {
		return this.raw.awaitFrames(0)
			.stream()
			.anyMatch((frame) -> frame instanceof Frame.Data data && data.streamId() == streamId && data.endStream());
	}

	private static ByteBuffer hex(String hex) {
		return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
	}

}
