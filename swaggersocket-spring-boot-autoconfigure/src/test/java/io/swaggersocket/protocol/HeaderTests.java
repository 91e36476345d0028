package io.swaggersocket.protocol;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Header}'s pseudo-header rules and
 * {@link FrameCodec#headerBlockSize(List)}.
 */
class HeaderTests {

	@Test
	void responseWithOneValidStatusFirstIsWellFormed() {
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header("a", "b")))).isTrue();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "599")))).isTrue();
	}

	@Test
	void responseWithMalformedPseudoHeadersIsNotWellFormed() {
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "100")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "600")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "2000")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header("a", "b")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header(":status", "200"))))
			.isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header("a", "b"), new Header(":status", "200")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header(":path", "/"))))
			.isFalse();
	}

	@Test
	void requestPseudoHeadersMustEachComeOnceBeforeEveryRegularField() {
		Header method = new Header(Header.METHOD, "GET");
		Header path = new Header(Header.PATH, "/");
		Header regular = new Header("accept", "*/*");
		assertThat(Header.hasPseudoHeaders(List.of(method, path, regular), Header.REQUEST_PSEUDO_HEADERS)).isTrue();
		assertThat(Header.hasPseudoHeaders(List.of(path, method), Header.REQUEST_PSEUDO_HEADERS)).isTrue();
		assertThat(Header.hasPseudoHeaders(List.of(method, method, path), Header.REQUEST_PSEUDO_HEADERS)).isFalse();
		assertThat(Header.hasPseudoHeaders(List.of(method, path, path), Header.REQUEST_PSEUDO_HEADERS)).isFalse();
		assertThat(Header.hasPseudoHeaders(List.of(method, regular), Header.REQUEST_PSEUDO_HEADERS)).isFalse();
		assertThat(Header.hasPseudoHeaders(List.of(method, regular, path), Header.REQUEST_PSEUDO_HEADERS)).isFalse();
		assertThat(Header.hasPseudoHeaders(List.of(method, path, new Header(Header.STATUS, "200")),
				Header.REQUEST_PSEUDO_HEADERS))
			.isFalse();
		assertThat(Header.hasPseudoHeaders(List.of(method, path, new Header(Header.PROTOCOL, "websocket")),
				Header.EXTENDED_CONNECT_PSEUDO_HEADERS))
			.isTrue();
		assertThat(Header.hasPseudoHeaders(List.of(method, path), Header.EXTENDED_CONNECT_PSEUDO_HEADERS)).isFalse();
	}

	@Test
	void headerBlockSizeIsTheEncodedPayloadLength() {
		List<Header> headers = List.of(new Header(":status", "200"), new Header("x-name", "caf\u00e9 \ud83d\ude00"));
		int encoded = new FrameCodec(16384, 1024).encode(new Frame.Headers(1, false, headers)).remaining()
				- FrameCodec.HEADER_LENGTH;
		assertThat(FrameCodec.headerBlockSize(headers)).isEqualTo(encoded);
	}

	@Test
	void aLoneSurrogateIsEncodedAsStringGetBytesEncodesIt() {
		FrameCodec codec = new FrameCodec(16384, 1024);
		List<Header> headers = List.of(new Header("x-odd", "a\ud800b"));
		ByteBuffer encoded = codec.encode(new Frame.Headers(1, false, headers));
		assertThat(FrameCodec.headerBlockSize(headers)).isEqualTo(encoded.remaining() - FrameCodec.HEADER_LENGTH);
		Frame.Headers decoded = (Frame.Headers) codec.decode(encoded);
		assertThat(decoded.headers()).containsExactly(new Header("x-odd", "a?b"));
	}

	@Test
	void headerBlockThatCannotBeEncodedHasNoSize() {
		assertThat(FrameCodec.headerBlockSize(List.of(new Header("x", "y".repeat(70000))))).isEqualTo(Long.MAX_VALUE);
		assertThat(FrameCodec.headerBlockSize(List.of(new Header("", "y")))).isEqualTo(Long.MAX_VALUE);
	}

}
