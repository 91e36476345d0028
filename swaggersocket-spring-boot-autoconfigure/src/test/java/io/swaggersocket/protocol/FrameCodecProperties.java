package io.swaggersocket.protocol;

import java.nio.ByteBuffer;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Property-based tests for {@link FrameCodec}: decoding arbitrary input fails only with
 * {@link ProtocolException}, and valid frames survive an encode/decode round trip.
 */
class FrameCodecProperties {

	private final FrameCodec codec = new FrameCodec(16384, 1024);

	/** Limits roomy enough for every generated frame. */
	private final FrameCodec roundTripCodec = new FrameCodec(65536, 65536);

	@Property
	void decodesRandomBytesToFrameOrProtocolException(@ForAll @Size(max = 200) byte[] message) {
		assertDecodesOrFailsWithProtocolException(ByteBuffer.wrap(message));
	}

	@Property
	void decodesRandomPayloadBehindValidHeaderToFrameOrProtocolException(@ForAll("framedMessages") ByteBuffer message) {
		assertDecodesOrFailsWithProtocolException(message);
	}

	@Property
	void decodesCorruptedFrameToFrameOrProtocolException(@ForAll("frames") Frame frame,
			@ForAll @IntRange(max = 10_000) int position, @ForAll byte replacement) {
		ByteBuffer message = this.codec.encode(frame);
		message.put(position % message.remaining(), replacement);
		assertDecodesOrFailsWithProtocolException(message);
	}

	@Property
	void decodesTruncatedFrameToFrameOrProtocolException(@ForAll("frames") Frame frame,
			@ForAll @IntRange(max = 10_000) int cut) {
		ByteBuffer message = this.codec.encode(frame);
		message.limit(cut % (message.remaining() + 1));
		assertDecodesOrFailsWithProtocolException(message);
	}

	@Property
	void roundTripsHeaders(@ForAll("headers") Frame.Headers frame) {
		assertThat(this.roundTripCodec.decode(this.roundTripCodec.encode(frame))).isEqualTo(frame);
	}

	@Property
	void roundTripsData(@ForAll("data") Frame.Data frame) {
		assertThat(this.roundTripCodec.decode(this.roundTripCodec.encode(frame))).isEqualTo(frame);
	}

	@Property
	void roundTripsAnyFrame(@ForAll("frames") Frame frame) {
		assertThat(this.roundTripCodec.decode(this.roundTripCodec.encode(frame))).isEqualTo(frame);
	}

	private void assertDecodesOrFailsWithProtocolException(ByteBuffer message) {
		Throwable thrown = catchThrowable(() -> assertThat(this.codec.decode(message)).isNotNull());
		if (thrown != null) {
			assertThat(thrown).isInstanceOf(ProtocolException.class);
		}
	}

	@Provide
	Arbitrary<ByteBuffer> framedMessages() {
		Arbitrary<Integer> types = Arbitraries.integers().between(0, 9);
		Arbitrary<Byte> flags = Arbitraries.bytes();
		Arbitrary<Integer> streamIds = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 9),
				Arbitraries.integers());
		Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
		return Combinators.combine(types, flags, streamIds, payloads).as((type, flag, streamId, payload) -> {
			ByteBuffer buffer = ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + payload.length);
			buffer.put(type.byteValue()).put(flag).putInt(streamId).putInt(payload.length).put(payload);
			return buffer.flip();
		});
	}

	@Provide
	Arbitrary<Frame> frames() {
		Arbitrary<String> text = strings(0, 200);
		Arbitrary<Integer> anyStreamIds = Arbitraries.integers().between(0, Integer.MAX_VALUE);
		Arbitrary<ErrorCode> errorCodes = Arbitraries.of(ErrorCode.class);
		return Arbitraries.oneOf(text.map(Frame.Hello::new), text.map(Frame.Welcome::new),
				Arbitraries.just(new Frame.Ready()), headers(), data(),
				Combinators.combine(streamIds(), errorCodes).as(Frame.Reset::new),
				Combinators.combine(anyStreamIds, Arbitraries.integers().between(1, Integer.MAX_VALUE))
					.as(Frame.WindowUpdate::new),
				Combinators.combine(anyStreamIds, errorCodes, strings(0, 100)).as(Frame.GoAway::new));
	}

	@Property
	void rejectsFieldsHttpCannotCarryWithAStreamError(@ForAll("fieldsHttpCannotCarry") Header field) {
		ByteBuffer message = this.roundTripCodec.encode(new Frame.Headers(3, true, List.of(field)));
		Throwable thrown = catchThrowable(() -> this.roundTripCodec.decode(message));
		assertThat(thrown).isInstanceOfSatisfying(ProtocolException.class, (ex) -> {
			assertThat(ex.streamId()).isEqualTo(3);
			assertThat(ex.errorCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
		});
	}

	@Provide
	Arbitrary<Header> fieldsHttpCannotCarry() {
		Arbitrary<String> controls = Arbitraries
			.oneOf(Arbitraries.chars().range('\0', '\u0008'), Arbitraries.chars().range('\n', '\u001f'),
					Arbitraries.just('\u007f'))
			.map(String::valueOf);
		Arbitrary<String> badValues = Combinators.combine(values(), controls, values()).as((a, c, b) -> a + c + b);
		Arbitrary<String> badNames = Combinators.combine(names(), strings(1, 1).filter((c) -> !isToken(c)), names())
			.as((a, c, b) -> a + c + b);
		return Arbitraries.oneOf(Combinators.combine(names(), badValues).as(Header::new),
				Combinators.combine(badNames, values()).as(Header::new));
	}

	@Provide
	Arbitrary<Frame.Headers> headers() {
		// fields HTTP can carry: token names, values without control characters
		Arbitrary<Header> fields = Combinators.combine(names(), values()).as(Header::new);
		return Combinators.combine(streamIds(), Arbitraries.of(true, false), fields.list().ofMaxSize(10))
			.as(Frame.Headers::new);
	}

	@Provide
	Arbitrary<Frame.Data> data() {
		Arbitrary<ByteBuffer> bodies = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000).map(ByteBuffer::wrap);
		return Combinators.combine(streamIds(), Arbitraries.of(true, false), bodies).as(Frame.Data::new);
	}

	private static Arbitrary<String> names() {
		return Arbitraries.strings()
			.withChars("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789!#$%&'*+-.^_`|~")
			.ofMinLength(1)
			.ofMaxLength(16);
	}

	private static Arbitrary<String> values() {
		return strings(0, 40).map((value) -> value.replaceAll("[\\x00-\\x08\\x0A-\\x1F\\x7F]", ""));
	}

	private static boolean isToken(String text) {
		return text.chars()
			.allMatch((c) -> c < 0x80 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0));
	}

	private static Arbitrary<Integer> streamIds() {
		return Arbitraries.integers().between(1, Integer.MAX_VALUE);
	}

	/**
	 * Strings of whole code points (no lone surrogates, which UTF-8 cannot carry), mixing
	 * ASCII with multi-byte characters.
	 */
	private static Arbitrary<String> strings(int minCodePoints, int maxCodePoints) {
		Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E);
		Arbitrary<Integer> any = Arbitraries.integers()
			.between(0, Character.MAX_CODE_POINT)
			.filter((codePoint) -> codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE);
		return Arbitraries.frequencyOf(Tuple.of(3, ascii), Tuple.of(1, any))
			.list()
			.ofMinSize(minCodePoints)
			.ofMaxSize(maxCodePoints)
			.map(FrameCodecProperties::toString);
	}

	private static String toString(List<Integer> codePoints) {
		StringBuilder builder = new StringBuilder();
		codePoints.forEach(builder::appendCodePoint);
		return builder.toString();
	}

}
