package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.swaggersocket.protocol.FrameCodec;

/**
 * A DATA frame that a WebSocket client sends, already encoded and masked as a whole
 * WebSocket binary frame (RFC 6455, section 5.2): the writer hands its content straight
 * to the channel, past Netty's WebSocket encoder, which lets any {@code ByteBuf} through.
 *
 * <p>
 * A client masks every byte it sends. Left to Netty, a DATA frame was copied twice: once
 * by the writer into a flat direct buffer, then by the encoder, which masks eight bytes
 * at a time through {@code ByteBuf} accessors that check bounds and capacity on every
 * call: 39% of a sending agent's samples in a download (docs/benchmarks.md, "fewer,
 * larger writes"). Here the body is read once and written once, masked on the way,
 * through {@code ByteBuffer} views. The masking key comes from {@link ThreadLocalRandom},
 * as Netty's encoder takes its own.
 */
final class MaskedDataFrame extends BinaryWebSocketFrame {

	private static final int FIN_BINARY = 0x80 | 0x2;

	private static final int MASKED = 0x80;

	private final int frameLength;

	private MaskedDataFrame(ByteBuf encoded, int frameLength) {
		super(encoded);
		this.frameLength = frameLength;
	}

	/**
	 * Return the size of the SwaggerSocket frame it carries, header included, without the
	 * WebSocket frame's own header and masking key.
	 * @return bytes
	 */
	int frameLength() {
		return this.frameLength;
	}

	/**
	 * Encode and mask a DATA frame.
	 * @param allocator where the frame is allocated
	 * @param streamId the stream id
	 * @param endStream whether the frame ends the stream
	 * @param payload the payload, released once copied
	 * @return the frame
	 */
	static MaskedDataFrame of(ByteBufAllocator allocator, int streamId, boolean endStream, ByteBuf payload) {
		return of(allocator, streamId, endStream, payload, ThreadLocalRandom.current().nextInt());
	}

	/**
	 * Encode and mask a DATA frame with the given masking key.
	 * @param allocator where the frame is allocated
	 * @param streamId the stream id
	 * @param endStream whether the frame ends the stream
	 * @param payload the payload, released once copied
	 * @param maskingKey the masking key
	 * @return the frame
	 */
	static MaskedDataFrame of(ByteBufAllocator allocator, int streamId, boolean endStream, ByteBuf payload,
			int maskingKey) {
		int payloadLength = payload.readableBytes();
		int length = FrameCodec.HEADER_LENGTH + payloadLength;
		int lengthBytes = (length <= 125) ? 0 : (length <= 0xFFFF) ? 2 : 8;
		ByteBuf frame = allocator.directBuffer(2 + lengthBytes + 4 + length);
		try {
			frame.writeByte(FIN_BINARY);
			if (lengthBytes == 0) {
				frame.writeByte(MASKED | length);
			}
			else if (lengthBytes == 2) {
				frame.writeByte(MASKED | 126);
				frame.writeShort(length);
			}
			else {
				frame.writeByte(MASKED | 127);
				frame.writeLong(length);
			}
			frame.writeInt(maskingKey);
			int header = frame.writerIndex();
			// written plain, then masked in place
			ChannelFrameWriter.writeDataHeader(frame, streamId, endStream, payloadLength);
			frame.writerIndex(header + length);
			ByteBuffer out = frame.nioBuffer(header, length).order(ByteOrder.BIG_ENDIAN);
			int at = mask(out.duplicate().limit(FrameCodec.HEADER_LENGTH), out, 0, maskingKey);
			// component by component: a composite body is never merged into one buffer
			for (ByteBuffer in : payload.nioBuffers()) {
				at = mask(in, out, at, maskingKey);
			}
			return new MaskedDataFrame(frame, length);
		}
		catch (RuntimeException ex) {
			frame.release();
			throw ex;
		}
		finally {
			payload.release();
		}
	}

	/**
	 * Write {@code in}'s remaining bytes into {@code out} at {@code at}, masked as the
	 * bytes at that offset of a frame's payload are.
	 * @return the offset after them
	 */
	private static int mask(ByteBuffer in, ByteBuffer out, int at, int maskingKey) {
		in = in.slice().order(ByteOrder.BIG_ENDIAN);
		int length = in.remaining();
		// the key repeated, turned so that its first byte masks the byte at 'at'
		long key = Long.rotateLeft(((long) maskingKey << 32) | (maskingKey & 0xFFFFFFFFL), 8 * (at & 3));
		int i = 0;
		for (; i + Long.BYTES <= length; i += Long.BYTES) {
			out.putLong(at + i, in.getLong(i) ^ key);
		}
		for (; i < length; i++) {
			int shift = 8 * (3 - ((at + i) & 3));
			out.put(at + i, (byte) (in.get(i) ^ (maskingKey >>> shift)));
		}
		return at + length;
	}

}
