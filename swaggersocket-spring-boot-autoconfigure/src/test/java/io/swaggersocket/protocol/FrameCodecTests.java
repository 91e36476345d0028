package io.swaggersocket.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tests for {@link FrameCodec}.
 */
class FrameCodecTests {

	private static final int MAX_FRAME_SIZE = 16384;

	private static final int MAX_HEADER_BLOCK_SIZE = 1024;

	private final FrameCodec codec = new FrameCodec(MAX_FRAME_SIZE, MAX_HEADER_BLOCK_SIZE);

	@Test
	void roundTripsHello() {
		assertRoundTrips(
				new Frame.Hello("{\"metadata\":{\"name\":\"agent-\u00e9\u4e16\ud83d\ude00\"},\"settings\":{}}"));
	}

	@Test
	void roundTripsWelcome() {
		assertRoundTrips(new Frame.Welcome("{\"connectionId\":\"c-1\",\"settings\":{\"maxFrameSize\":65536}}"));
	}

	@Test
	void roundTripsReady() {
		assertRoundTrips(new Frame.Ready());
	}

	@Test
	void roundTripsHeadersWithEndStream() {
		assertRoundTrips(new Frame.Headers(1, true,
				List.of(new Header(":method", "GET"), new Header(":path", "/pets?limit=1"))));
	}

	@Test
	void roundTripsHeadersWithoutEndStream() {
		assertRoundTrips(new Frame.Headers(2, false,
				List.of(new Header(":status", "200"), new Header("content-type", "application/json"))));
	}

	@Test
	void roundTripsHeadersWithNonAsciiValue() {
		assertRoundTrips(new Frame.Headers(3, false, List.of(new Header(":status", "200"),
				new Header("x-greeting", "gr\u00fc\u00df \u4e16\u754c \ud83d\ude00"))));
	}

	@Test
	void roundTripsHeadersWithEmptyValue() {
		assertRoundTrips(new Frame.Headers(5, true, List.of(new Header(":method", "GET"), new Header("x-empty", ""))));
	}

	@Test
	void roundTripsHeadersWithRepeatedNamesInOrder() {
		assertRoundTrips(new Frame.Headers(7, false, List.of(new Header(":status", "200"),
				new Header("set-cookie", "a=1"), new Header("set-cookie", "b=2"))));
	}

	@Test
	void roundTripsHeadersOnHighestStreamId() {
		assertRoundTrips(new Frame.Headers(Integer.MAX_VALUE, true, List.of(new Header(":method", "GET"))));
	}

	@Test
	void roundTripsDataWithEndStream() {
		assertRoundTrips(new Frame.Data(1, true, utf8Buffer("{\"id\":7}")));
	}

	@Test
	void roundTripsDataWithoutEndStream() {
		assertRoundTrips(new Frame.Data(1, false, ByteBuffer.wrap(new byte[] { 0, 1, (byte) 0xFF, (byte) 0x80 })));
	}

	@Test
	void roundTripsEmptyData() {
		assertRoundTrips(new Frame.Data(4, true, ByteBuffer.allocate(0)));
	}

	@Test
	void roundTripsDataOfExactlyMaxFrameSize() {
		assertRoundTrips(new Frame.Data(1, false, ByteBuffer.allocate(MAX_FRAME_SIZE)));
	}

	@ParameterizedTest
	@EnumSource(ErrorCode.class)
	void roundTripsResetWithEachErrorCode(ErrorCode errorCode) {
		assertRoundTrips(new Frame.Reset(9, errorCode));
	}

	@Test
	void roundTripsWindowUpdateOnConnection() {
		assertRoundTrips(new Frame.WindowUpdate(0, 65536));
	}

	@Test
	void roundTripsWindowUpdateOnStream() {
		assertRoundTrips(new Frame.WindowUpdate(11, 1));
	}

	@Test
	void roundTripsWindowUpdateWithLargestIncrement() {
		assertRoundTrips(new Frame.WindowUpdate(1, Integer.MAX_VALUE));
	}

	@Test
	void roundTripsGoAwayWithMessage() {
		assertRoundTrips(new Frame.GoAway(5, ErrorCode.NO_ERROR, "shutting down \u00e9"));
	}

	@Test
	void roundTripsGoAwayWithoutMessage() {
		assertRoundTrips(new Frame.GoAway(0, ErrorCode.PROTOCOL_ERROR, ""));
	}

	@Test
	void roundTripsGoAwayWithMessageOfExactly1024Bytes() {
		assertRoundTrips(new Frame.GoAway(3, ErrorCode.NO_ERROR, "x".repeat(1024)));
	}

	@Test
	void encodesHeaderBigEndian() {
		ByteBuffer encoded = this.codec.encode(new Frame.WindowUpdate(0x01020304, 0x05060708));
		assertThat(hex(encoded)).isEqualTo("07000102030400000004" + "05060708");
	}

	@Test
	void rejectsHeaderFieldNameThatIsNotAnHttpTokenWithAStreamError() {
		Frame.Headers headers = new Frame.Headers(5, true,
				List.of(new Header(":status", "200"), new Header("bad name", "v")));
		ProtocolException ex = decodeFailure(this.codec.encode(headers));
		assertThat(ex.isStreamError()).isTrue();
		assertThat(ex.streamId()).isEqualTo(5);
		assertThat(ex.errorCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderFieldValueWithCrLfWithAStreamError() {
		Frame.Headers headers = new Frame.Headers(5, true,
				List.of(new Header(":status", "200"), new Header("x-a", "1\r\nset-cookie: b=2")));
		ProtocolException ex = decodeFailure(this.codec.encode(headers));
		assertThat(ex.isStreamError()).isTrue();
		assertThat(ex.errorCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
	}

	@Test
	void acceptsHeaderFieldValueWithTabAndNonAsciiText() {
		assertRoundTrips(new Frame.Headers(5, true, List.of(new Header(":status", "200"),
				new Header("content-disposition", "attachment;\tfilename=\"gr\u00fc\u00df.txt\""))));
	}

	@Test
	void encodeLeavesDataBufferUnchanged() {
		ByteBuffer data = utf8Buffer("body");
		this.codec.encode(new Frame.Data(1, false, data));
		assertThat(data.position()).isZero();
		assertThat(data.remaining()).isEqualTo(4);
	}

	@Test
	void encodeRejectsEmptyHeaderName() {
		Frame.Headers headers = new Frame.Headers(1, true, List.of(new Header("", "value")));
		assertThatIllegalArgumentException().isThrownBy(() -> this.codec.encode(headers));
	}

	@Test
	void encodeTruncatesGoAwayMessageLongerThan1024Bytes() {
		String message = "x".repeat(1023) + "\u00e9" + "tail";
		Frame decoded = this.codec.decode(this.codec.encode(new Frame.GoAway(1, ErrorCode.NO_ERROR, message)));
		assertThat(((Frame.GoAway) decoded).message()).isEqualTo("x".repeat(1023));
	}

	@Test
	void decodeLeavesMessagePositionUnchanged() {
		ByteBuffer message = this.codec.encode(new Frame.Reset(1, ErrorCode.CANCEL));
		this.codec.decode(message);
		assertThat(message.position()).isZero();
	}

	@Test
	void decodeReadsFromBufferPosition() {
		ByteBuffer encoded = this.codec.encode(new Frame.Data(1, true, utf8Buffer("abc")));
		ByteBuffer message = ByteBuffer.allocate(encoded.remaining() + 5);
		message.position(3).put(encoded).flip().position(3);
		assertThat(this.codec.decode(message)).isEqualTo(new Frame.Data(1, true, utf8Buffer("abc")));
	}

	@Test
	void decodesDataAsReadOnlyView() {
		Frame.Data data = (Frame.Data) this.codec.decode(this.codec.encode(new Frame.Data(1, false, utf8Buffer("x"))));
		assertThat(data.data().isReadOnly()).isTrue();
	}

	@Test
	void ignoresUnknownFlagsOnHeaders() {
		Frame.Headers headers = (Frame.Headers) this.codec.decode(raw(0x04, 0xFE, 1, "00 00"));
		assertThat(headers.endStream()).isFalse();
	}

	@Test
	void ignoresUnknownFlagsOnData() {
		Frame.Data data = (Frame.Data) this.codec.decode(raw(0x05, 0xFF, 1, ""));
		assertThat(data.endStream()).isTrue();
	}

	@Test
	void ignoresFlagsOnFramesWithoutFlags() {
		assertThat(this.codec.decode(raw(0x03, 0xFF, 0, ""))).isEqualTo(new Frame.Ready());
	}

	@Test
	void decodesHeadersWithoutFields() {
		assertThat(this.codec.decode(raw(0x04, 0x01, 1, "00 00"))).isEqualTo(new Frame.Headers(1, true, List.of()));
	}

	@Test
	void mapsUnknownResetErrorCodeToInternalError() {
		assertThat(this.codec.decode(raw(0x06, 0, 1, "00 00 00 63")))
			.isEqualTo(new Frame.Reset(1, ErrorCode.INTERNAL_ERROR));
	}

	@Test
	void mapsUnknownGoAwayErrorCodeToInternalError() {
		assertThat(this.codec.decode(raw(0x08, 0, 0, "00 00 00 01 ff ff ff ff")))
			.isEqualTo(new Frame.GoAway(1, ErrorCode.INTERNAL_ERROR, ""));
	}

	@Test
	void rejectsFrameShorterThanHeader() {
		ProtocolException ex = decodeFailure(ByteBuffer.wrap(HexFormat.of().parseHex("030000000000000000")));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsEmptyMessage() {
		ProtocolException ex = decodeFailure(ByteBuffer.allocate(0));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsTruncatedPayload() {
		ProtocolException ex = decodeFailure(hexBuffer("06 00 00000001 00000004 0000"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsBytesAfterDeclaredPayload() {
		ProtocolException ex = decodeFailure(hexBuffer("05 00 00000001 00000002 010203"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsPayloadOverMaxFrameSize() {
		ProtocolException ex = decodeFailure(raw(0x05, 0, 1, new byte[MAX_FRAME_SIZE + 1]));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.MESSAGE_TOO_BIG);
	}

	@Test
	void rejectsDeclaredLengthOverMaxFrameSizeBeforeReadingPayload() {
		ProtocolException ex = decodeFailure(hexBuffer("05 00 00000001 7fffffff"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.MESSAGE_TOO_BIG);
	}

	@Test
	void rejectsDeclaredLengthWithHighBitSet() {
		ProtocolException ex = decodeFailure(hexBuffer("05 00 00000001 ffffffff"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.MESSAGE_TOO_BIG);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x00, 0x09, 0x7F, 0xFF })
	void rejectsUnknownFrameType(int type) {
		ProtocolException ex = decodeFailure(raw(type, 0, 0, ""));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsReservedStreamIdBit() {
		ProtocolException ex = decodeFailure(raw(0x05, 0, 0x80000001, ""));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@EnumSource(names = { "HELLO", "WELCOME", "READY", "GOAWAY" })
	void rejectsConnectionFrameOnStream(FrameType type) {
		ProtocolException ex = decodeFailure(raw(type.code(), 0, 1, "00 00 00 00 00 00 00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@EnumSource(names = { "HEADERS", "DATA", "RESET" })
	void rejectsStreamFrameOnStreamZero(FrameType type) {
		ProtocolException ex = decodeFailure(raw(type.code(), 0, 0, "00 00 00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsReadyWithPayload() {
		ProtocolException ex = decodeFailure(raw(0x03, 0, 0, "7b 7d"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "00 00 00", "00 00 00 00 00" })
	void rejectsResetWithWrongPayloadLength(String payload) {
		ProtocolException ex = decodeFailure(raw(0x06, 0, 1, payload));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "00 01 00", "00 00 00 01 00" })
	void rejectsWindowUpdateWithWrongPayloadLength(String payload) {
		ProtocolException ex = decodeFailure(raw(0x07, 0, 0, payload));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsWindowUpdateWithZeroIncrement() {
		ProtocolException ex = decodeFailure(raw(0x07, 0, 1, "00 00 00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsWindowUpdateWithHighBitSet() {
		ProtocolException ex = decodeFailure(raw(0x07, 0, 0, "80 00 00 01"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderBlockOverMaxHeaderBlockSize() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 5, new byte[MAX_HEADER_BLOCK_SIZE + 1]));
		assertThat(ex.isStreamError()).isTrue();
		assertThat(ex.streamId()).isEqualTo(5);
		assertThat(ex.errorCode()).isEqualTo(ErrorCode.HEADERS_TOO_LARGE);
	}

	@Test
	void acceptsHeaderBlockOfExactlyMaxHeaderBlockSize() {
		String value = "v".repeat(MAX_HEADER_BLOCK_SIZE - 2 - 2 - 1 - 2);
		Frame.Headers headers = new Frame.Headers(1, true, List.of(new Header("n", value)));
		ByteBuffer encoded = this.codec.encode(headers);
		assertThat(encoded.remaining()).isEqualTo(FrameCodec.HEADER_LENGTH + MAX_HEADER_BLOCK_SIZE);
		assertThat(this.codec.decode(encoded)).isEqualTo(headers);
	}

	@Test
	void rejectsHeadersWithoutFieldCount() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderBlockWithCountLargerThanContent() {
		// declares 2 fields, holds one complete field
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 02  00 01 61  00 01 62"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderBlockWithHugeCount() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "ff ff  00 01 61  00 01 62"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderNameLengthPastEndOfBlock() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 09 61 62  00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderValueLengthPastEndOfBlock() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 01 61  00 05 62 63"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderBlockEndingInsideFieldLength() {
		// one field of 5 bytes passes the count check, but the name leaves only one byte
		// for the value length
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 02 61 62  00"));
		assertThat(ex.isStreamError()).isFalse();
		assertThat(ex.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsHeaderBlockWithTrailingBytes() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 01 61  00 01 62  00 00 00 00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsEmptyHeaderName() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 00  00 01 62"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsInvalidUtf8InHeaderName() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 01 ff  00 01 62"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsInvalidUtf8InHeaderValue() {
		ProtocolException ex = decodeFailure(raw(0x04, 0, 1, "00 01  00 01 61  00 02 c3 28"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(strings = { "ff", "c0 80", "ed a0 80", "e2 82", "f4 90 80 80" })
	void rejectsInvalidUtf8InHello(String invalid) {
		ProtocolException ex = decodeFailure(raw(0x01, 0, 0, "7b 22 " + invalid + " 22 7d"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsInvalidUtf8InWelcome() {
		ProtocolException ex = decodeFailure(raw(0x02, 0, 0, "7b fe 7d"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsInvalidUtf8InGoAwayMessage() {
		ProtocolException ex = decodeFailure(raw(0x08, 0, 0, "00 00 00 01 00 00 00 00 62 79 ff"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsGoAwayShorterThanEightBytes() {
		ProtocolException ex = decodeFailure(raw(0x08, 0, 0, "00 00 00 01 00 00 00"));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsGoAwayMessageLongerThan1024Bytes() {
		byte[] payload = new byte[8 + 1025];
		ProtocolException ex = decodeFailure(raw(0x08, 0, 0, payload));
		assertConnectionError(ex, ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsGoAwayWithReservedBitInLastStreamId() {
		ProtocolException ex = decodeFailure(raw(0x08, 0, 0, "80 00 00 01 00 00 00 00"));
		assertConnectionError(ex, ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rejectsMaxFrameSizeBelowMinimum() {
		assertThatIllegalArgumentException().isThrownBy(() -> new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE - 1, 1024));
	}

	@Test
	void acceptsMinimumMaxFrameSize() {
		assertThatNoException().isThrownBy(() -> new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE, 1024));
	}

	@Test
	void rejectsMaxHeaderBlockSizeTooSmallForFieldCount() {
		assertThatIllegalArgumentException().isThrownBy(() -> new FrameCodec(FrameCodec.MIN_MAX_FRAME_SIZE, 1));
	}

	private void assertRoundTrips(Frame frame) {
		assertThat(this.codec.decode(this.codec.encode(frame))).isEqualTo(frame);
	}

	private ProtocolException decodeFailure(ByteBuffer message) {
		ProtocolException ex = catchThrowableOfType(ProtocolException.class, () -> this.codec.decode(message));
		assertThat(ex).as("ProtocolException").isNotNull();
		return ex;
	}

	private static void assertConnectionError(ProtocolException ex, ErrorCode errorCode, int closeCode) {
		assertThat(ex.isStreamError()).as("stream error").isFalse();
		assertThat(ex.streamId()).isZero();
		assertThat(ex.errorCode()).isEqualTo(errorCode);
		assertThat(ex.closeCode()).isEqualTo(closeCode);
	}

	/**
	 * Build a message whose length field matches the payload given in spaced hex.
	 */
	private static ByteBuffer raw(int type, int flags, int streamId, String payloadHex) {
		return raw(type, flags, streamId, HexFormat.of().parseHex(payloadHex.replace(" ", "")));
	}

	private static ByteBuffer raw(int type, int flags, int streamId, byte[] payload) {
		ByteBuffer buffer = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + payload.length);
		buffer.put((byte) type).put((byte) flags).putInt(streamId).putInt(payload.length).put(payload);
		return buffer.flip();
	}

	private static ByteBuffer hexBuffer(String hex) {
		return ByteBuffer.wrap(HexFormat.of().parseHex(hex.replace(" ", "")));
	}

	private static ByteBuffer utf8Buffer(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String hex(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
