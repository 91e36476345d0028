package io.swaggersocket.connection;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.FrameType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MaskedDataFrame} against Netty's own WebSocket server decoder, which insists on
 * masked frames: every length encoding, payloads split at every alignment of the masking
 * key, and the payload released once.
 */
class MaskedDataFrameTests {

	private static final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;

	@Test
	void aServerDecodesWhatItMaskedAtEveryLengthEncoding() {
		// 7-bit, 16-bit and 64-bit lengths, and each side of their limits
		for (int length : new int[] { 0, 1, 7, 8, 9, 115, 116, 117, 65_525, 65_526, 70_000 }) {
			// a wrapped empty array is Unpooled's shared empty buffer, which counts no
			// references
			ByteBuf payload = Unpooled.buffer(length).writeBytes(bytes(length, length));
			MaskedDataFrame frame = MaskedDataFrame.of(allocator, 3, length % 2 == 0, payload, 0x9A3C_51E7);
			assertThat(payload.refCnt()).isZero();
			assertThat(frame.frameLength()).isEqualTo(FrameCodec.HEADER_LENGTH + length);
			assertThat(frame.content().isDirect()).isTrue();
			assertDecodes(frame, 3, length % 2 == 0, bytes(length, length));
		}
	}

	@Test
	void aCompositePayloadIsMaskedAcrossItsComponents() {
		// components of odd sizes put each at another offset of the masking key
		byte[] expected = new byte[0];
		CompositeByteBuf payload = Unpooled.compositeBuffer();
		for (int size : new int[] { 3, 1, 13, 8, 65_536, 5, 2 }) {
			byte[] part = bytes(size, size);
			payload.addComponent(true, Unpooled.wrappedBuffer(ByteBuffer.wrap(part).asReadOnlyBuffer()));
			byte[] joined = new byte[expected.length + size];
			System.arraycopy(expected, 0, joined, 0, expected.length);
			System.arraycopy(part, 0, joined, expected.length, size);
			expected = joined;
		}
		MaskedDataFrame frame = MaskedDataFrame.of(allocator, 11, false, payload, 0x0102_0304);
		assertThat(payload.refCnt()).isZero();
		assertDecodes(frame, 11, false, expected);
	}

	@Test
	void aDirectPayloadAndARandomKeyDecodeToo() {
		ByteBuf payload = allocator.directBuffer(4099).writeBytes(bytes(4099, 9));
		MaskedDataFrame frame = MaskedDataFrame.of(allocator, 5, true, payload);
		assertThat(payload.refCnt()).isZero();
		assertDecodes(frame, 5, true, bytes(4099, 9));
	}

	@Test
	void theFrameIsMasked() {
		ByteBuf payload = Unpooled.wrappedBuffer(new byte[64]);
		MaskedDataFrame frame = MaskedDataFrame.of(allocator, 1, false, payload, 0xFFFF_FFFF);
		try {
			ByteBuf content = frame.content();
			// FIN and binary; the mask bit and a 7-bit length; the key; then the bytes
			assertThat(content.getUnsignedByte(0)).isEqualTo((short) 0x82);
			assertThat(content.getUnsignedByte(1)).isEqualTo((short) (0x80 | (FrameCodec.HEADER_LENGTH + 64)));
			assertThat(content.getInt(2)).isEqualTo(0xFFFF_FFFF);
			// zeros masked with all ones
			assertThat(content.getLong(content.writerIndex() - 8)).isEqualTo(-1L);
		}
		finally {
			frame.release();
		}
	}

	private static void assertDecodes(MaskedDataFrame frame, int streamId, boolean endStream, byte[] payload) {
		EmbeddedChannel server = new EmbeddedChannel(new WebSocket08FrameDecoder(
				WebSocketDecoderConfig.newBuilder().expectMaskedFrames(true).maxFramePayloadLength(1 << 20).build()));
		try {
			// in pieces, as a socket delivers them
			ByteBuf wire = frame.content();
			while (wire.isReadable()) {
				server.writeInbound(wire.readRetainedSlice(Math.min(1000, wire.readableBytes())));
			}
			frame.release();
			BinaryWebSocketFrame decoded = server.readInbound();
			assertThat(decoded).isNotNull();
			try {
				assertThat(decoded.isFinalFragment()).isTrue();
				ByteBuf content = decoded.content();
				assertThat(content.readableBytes()).isEqualTo(FrameCodec.HEADER_LENGTH + payload.length);
				assertThat(content.getUnsignedByte(0)).isEqualTo((short) FrameType.DATA.code());
				assertThat(content.getUnsignedByte(1)).isEqualTo((short) (endStream ? Frame.FLAG_END_STREAM : 0));
				assertThat(content.getInt(2)).isEqualTo(streamId);
				assertThat(content.getInt(6)).isEqualTo(payload.length);
				assertThat(ByteBufUtil.getBytes(content, FrameCodec.HEADER_LENGTH, payload.length)).isEqualTo(payload);
			}
			finally {
				decoded.release();
			}
			assertThat((Object) server.readInbound()).isNull();
		}
		finally {
			server.finishAndReleaseAll();
		}
	}

	private static byte[] bytes(int length, int seed) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (i * 31 + seed);
		}
		return bytes;
	}

}
