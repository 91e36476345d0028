package io.swaggersocket.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.swaggersocket.test.ProtocolDocExamples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the byte dumps in {@code docs/PROTOCOL.md} true: every example there is encoded
 * with {@link FrameCodec} and must match byte for byte, and must decode back to the same
 * frame.
 *
 * <p>
 * An example in the document is an HTML comment {@code <!-- example: name -->} followed
 * by a fenced block; on each line of the block, the bytes come first (two hex digits
 * each, separated by single spaces) and anything after two or more spaces is commentary.
 */
class ProtocolDocExamplesTests {

	private static final List<String> VERIFIED_EXAMPLES = List.of("hello", "welcome", "ready", "request-headers",
			"response-headers", "data", "reset", "window-update", "goaway", "websocket-connect", "websocket-accept",
			"websocket-messages", "websocket-close");

	private final FrameCodec codec = new FrameCodec(65536, 16384);

	private static Map<String, String> examples;

	@BeforeAll
	static void readExamples() throws IOException {
		examples = ProtocolDocExamples.all();
	}

	@Test
	void everyExampleInTheDocumentIsVerified() {
		assertThat(examples).containsOnlyKeys(VERIFIED_EXAMPLES);
	}

	@Test
	void helloExampleMatchesCodec() {
		assertExample("hello",
				new Frame.Hello("{\"metadata\":{\"agent\":\"a1\"},\"settings\":{\"maxFrameSize\":65536}}"));
	}

	@Test
	void welcomeExampleMatchesCodec() {
		assertExample("welcome", new Frame.Welcome("{\"connectionId\":\"c-7f3a\",\"settings\":{}}"));
	}

	@Test
	void readyExampleMatchesCodec() {
		assertExample("ready", new Frame.Ready());
	}

	@Test
	void requestHeadersExampleMatchesCodec() {
		assertExample("request-headers", new Frame.Headers(1, true, List.of(new Header(":method", "GET"),
				new Header(":path", "/pets?limit=1"), new Header("accept", "application/json"))));
	}

	@Test
	void responseHeadersExampleMatchesCodec() {
		assertExample("response-headers", new Frame.Headers(1, false,
				List.of(new Header(":status", "200"), new Header("content-type", "application/json"))));
	}

	@Test
	void dataExampleMatchesCodec() {
		assertExample("data",
				new Frame.Data(1, true, ByteBuffer.wrap("[{\"id\":7}]".getBytes(StandardCharsets.UTF_8))));
	}

	@Test
	void resetExampleMatchesCodec() {
		assertExample("reset", new Frame.Reset(3, ErrorCode.CANCEL));
	}

	@Test
	void windowUpdateExampleMatchesCodec() {
		assertExample("window-update", new Frame.WindowUpdate(0, 65536));
	}

	@Test
	void goAwayExampleMatchesCodec() {
		assertExample("goaway", new Frame.GoAway(5, ErrorCode.NO_ERROR, "shutdown"));
	}

	@Test
	void webSocketConnectExampleMatchesCodec() {
		assertExample("websocket-connect",
				new Frame.Headers(1, false,
						List.of(new Header(":method", "CONNECT"), new Header(":protocol", "websocket"),
								new Header(":path", "/ws/echo"), new Header("sec-websocket-protocol", "echo.v1"))));
	}

	@Test
	void webSocketAcceptExampleMatchesCodec() {
		assertExample("websocket-accept", new Frame.Headers(1, false,
				List.of(new Header(":status", "200"), new Header("sec-websocket-protocol", "echo.v1"))));
	}

	/**
	 * The records' own bytes are checked against the encoder by WebSocketRecordsTests.
	 */
	@Test
	void webSocketMessagesExampleMatchesCodec() {
		assertExample("websocket-messages", new Frame.Data(1, false,
				ByteBuffer.wrap(HexFormat.of().parseHex("0100000005" + "68656c6c6f" + "0900000002" + "6869"))));
	}

	@Test
	void webSocketCloseExampleMatchesCodec() {
		assertExample("websocket-close",
				new Frame.Data(1, true, ByteBuffer.wrap(HexFormat.of().parseHex("0800000005" + "03e8" + "627965"))));
	}

	private void assertExample(String name, Frame frame) {
		assertThat(examples).as("example '%s' in PROTOCOL.md", name).containsKey(name);
		String documented = examples.get(name);
		ByteBuffer encoded = this.codec.encode(frame);
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		assertThat(HexFormat.of().formatHex(bytes)).as("bytes of example '%s'", name).isEqualTo(documented);
		assertThat(this.codec.decode(ByteBuffer.wrap(HexFormat.of().parseHex(documented)))).isEqualTo(frame);
	}

}
