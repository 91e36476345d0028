package io.swaggersocket.websocket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.swaggersocket.test.ProtocolDocExamples;
import io.swaggersocket.websocket.WebSocketRecords.ReceivedRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The records that carry WebSocket messages in DATA (docs/PROTOCOL.md section 13.4).
 */
class WebSocketRecordsTests {

	private static final DefaultDataBufferFactory FACTORY = DefaultDataBufferFactory.sharedInstance;

	@Test
	void theDocumentedMessagesAreWhatTheEncoderWrites() throws IOException {
		String frame = ProtocolDocExamples.hex("websocket-messages");
		String records = hex(WebSocketRecords.encode(message(WebSocketMessage.Type.TEXT, "hello")))
				+ hex(WebSocketRecords.encode(message(WebSocketMessage.Type.PING, "hi")));
		assertThat(frame.substring(20)).isEqualTo(records);
	}

	@Test
	void theDocumentedCloseIsWhatTheEncoderWrites() throws IOException {
		String frame = ProtocolDocExamples.hex("websocket-close");
		assertThat(frame.substring(20)).isEqualTo(hex(WebSocketRecords.close(new CloseStatus(1000, "bye"))));
	}

	@Test
	void aCloseWithoutACodeIsAnsweredWithAnEmptyClose() {
		DataBuffer record = WebSocketRecords.close(CloseStatus.NO_STATUS_CODE);
		assertThat(hex(record)).isEqualTo("0800000000");
		List<ReceivedRecord> decoded = new WebSocketRecords.Decoder(1024)
			.decode(WebSocketRecords.close(CloseStatus.NO_STATUS_CODE));
		assertThat(decoded).singleElement()
			.satisfies((close) -> assertThat(close.closeStatus()).isEqualTo(CloseStatus.NO_STATUS_CODE));
	}

	@Test
	void aLongReasonIsCutAtACharacterBoundaryToFitTheRecord() {
		String reason = "é".repeat(100);
		ReceivedRecord close = new WebSocketRecords.Decoder(1024)
			.decode(WebSocketRecords.close(new CloseStatus(4000, reason)))
			.get(0);
		assertThat(close.payload()).hasSizeLessThanOrEqualTo(125);
		assertThat(reason).startsWith(close.closeStatus().getReason());
	}

	@Test
	void aMessageOverTheLimitIsRefusedWith1009BeforeItsPayloadArrives() {
		WebSocketRecords.Decoder decoder = new WebSocketRecords.Decoder(10);
		List<ReceivedRecord> records = decoder.decode(FACTORY.wrap(HexFormat.of().parseHex("020000000b")));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.type()).isEqualTo(WebSocketRecords.INVALID);
			assertThat(record.closeStatus().getCode()).isEqualTo(1009);
		});
		assertThat(decoder.decode(FACTORY.wrap(new byte[64]))).as("the rest is discarded").isEmpty();
	}

	@Test
	void brokenRecordsCloseWithTheDocumentedCodes() {
		assertThat(invalidCode("0700000000")).as("unknown type").isEqualTo(1002);
		assertThat(invalidCode("090000007e" + "00".repeat(126))).as("ping over 125 bytes").isEqualTo(1002);
		assertThat(invalidCode("080000000103")).as("close of 1 byte").isEqualTo(1002);
		assertThat(invalidCode("0100000002c328")).as("text not UTF-8").isEqualTo(1007);
	}

	/** However the stream cuts the bytes into DATA, the same messages come out. */
	@Property(tries = 200)
	void recordsSurviveAnySplitIntoBuffers(@ForAll("messages") List<WebSocketMessage> messages,
			@ForAll("cuts") List<Integer> cuts) {
		List<byte[]> expected = new ArrayList<>();
		StringBuilder stream = new StringBuilder();
		for (WebSocketMessage message : messages) {
			byte[] payload = new byte[message.getPayload().readableByteCount()];
			message.getPayload().toByteBuffer().get(payload);
			expected.add(payload);
			stream.append(hex(WebSocketRecords.encode(message)));
		}
		byte[] bytes = HexFormat.of().parseHex(stream);
		WebSocketRecords.Decoder decoder = new WebSocketRecords.Decoder(4096);
		List<ReceivedRecord> decoded = new ArrayList<>();
		int start = 0;
		for (int cut : cuts) {
			int end = Math.min(bytes.length, start + cut);
			decoded.addAll(decoder.decode(FACTORY.wrap(java.util.Arrays.copyOfRange(bytes, start, end))));
			start = end;
		}
		decoded.addAll(decoder.decode(FACTORY.wrap(java.util.Arrays.copyOfRange(bytes, start, bytes.length))));
		assertThat(decoded).extracting(ReceivedRecord::payload).containsExactlyElementsOf(expected);
		assertThat(decoder.atRecordBoundary()).isTrue();
	}

	@Provide
	Arbitrary<List<WebSocketMessage>> messages() {
		Arbitrary<WebSocketMessage> text = Arbitraries.strings()
			.alpha()
			.numeric()
			.ofMaxLength(300)
			.map((value) -> message(WebSocketMessage.Type.TEXT, value));
		Arbitrary<WebSocketMessage> binary = Arbitraries.bytes()
			.array(byte[].class)
			.ofMaxSize(300)
			.map((value) -> new WebSocketMessage(WebSocketMessage.Type.BINARY, FACTORY.wrap(value)));
		Arbitrary<WebSocketMessage> ping = Arbitraries.bytes()
			.array(byte[].class)
			.ofMaxSize(125)
			.map((value) -> new WebSocketMessage(WebSocketMessage.Type.PING, FACTORY.wrap(value)));
		return Combinators.combine(Arbitraries.oneOf(text, binary, ping).list().ofMaxSize(20), Arbitraries.just(0))
			.as((list, ignored) -> list);
	}

	@Provide
	Arbitrary<List<Integer>> cuts() {
		return Arbitraries.integers().between(0, 400).list().ofMaxSize(30);
	}

	private static int invalidCode(String hex) {
		List<ReceivedRecord> records = new WebSocketRecords.Decoder(1024)
			.decode(FACTORY.wrap(HexFormat.of().parseHex(hex)));
		assertThat(records).singleElement().extracting(ReceivedRecord::type).isEqualTo(WebSocketRecords.INVALID);
		return records.get(0).closeStatus().getCode();
	}

	private static WebSocketMessage message(WebSocketMessage.Type type, String text) {
		return new WebSocketMessage(type, FACTORY.wrap(text.getBytes(StandardCharsets.UTF_8)));
	}

	private static String hex(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
