package io.swaggersocket.connection;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.FrameType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link ChannelFrameWriter#socketDataFrame(ByteBufAllocator, int, boolean, ByteBuf)}
 * turns a body buffer into an unmasked DATA frame: which bytes it shares, which it
 * copies, and that it releases the payload exactly once.
 */
class ChannelFrameWriterDataFrameTests {

	private static final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;

	@Test
	void anUnmaskedHeapPayloadIsCopiedOnceIntoOneDirectBufferAndReleased() {
		ByteBuf payload = Unpooled.wrappedBuffer(bytes(70_000, 3));
		ByteBuf frame = ChannelFrameWriter.socketDataFrame(allocator, 7, true, payload);
		try {
			// one direct buffer: the socket writes it as it is, with no copy of its own
			assertThat(frame.isDirect()).isTrue();
			assertThat(frame.nioBufferCount()).isEqualTo(1);
			assertThat(payload.refCnt()).isZero();
			assertFrame(frame, 7, true, bytes(70_000, 3));
		}
		finally {
			frame.release();
		}
	}

	@Test
	void anUnmaskedCompositeOfHeapViewsIsCopiedInOrder() {
		// what a DataBuffer of several readable ByteBuffers becomes
		// (OutboundBody.byteBuf)
		ByteBuf payload = Unpooled.wrappedBuffer(ByteBuffer.wrap(bytes(1000, 1)).asReadOnlyBuffer(),
				ByteBuffer.wrap(bytes(2000, 2)).asReadOnlyBuffer());
		ByteBuf frame = ChannelFrameWriter.socketDataFrame(allocator, 9, false, payload);
		try {
			assertThat(frame.isDirect()).isTrue();
			assertThat(payload.refCnt()).isZero();
			byte[] expected = new byte[3000];
			System.arraycopy(bytes(1000, 1), 0, expected, 0, 1000);
			System.arraycopy(bytes(2000, 2), 0, expected, 1000, 2000);
			assertFrame(frame, 9, false, expected);
		}
		finally {
			frame.release();
		}
	}

	@Test
	void aDirectPayloadIsSharedNotCopied() {
		ByteBuf payload = allocator.directBuffer(4096).writeBytes(bytes(4096, 5));
		ByteBuf frame = ChannelFrameWriter.socketDataFrame(allocator, 5, true, payload);
		try {
			assertThat(payload.refCnt()).isOne();
			assertFrame(frame, 5, true, bytes(4096, 5));
			assertThat(sharesMemory(frame, payload)).isTrue();
		}
		finally {
			frame.release();
		}
		assertThat(payload.refCnt()).isZero();
	}

	@Test
	void anEmptyPayloadMakesAHeaderAloneAndIsReleased() {
		ByteBuf payload = Unpooled.buffer(0);
		ByteBuf frame = ChannelFrameWriter.socketDataFrame(allocator, 1, true, payload);
		try {
			assertThat(payload.refCnt()).isZero();
			assertFrame(frame, 1, true, new byte[0]);
		}
		finally {
			frame.release();
		}
	}

	private static void assertFrame(ByteBuf frame, int streamId, boolean endStream, byte[] payload) {
		assertThat(frame.readableBytes()).isEqualTo(FrameCodec.HEADER_LENGTH + payload.length);
		int at = frame.readerIndex();
		assertThat(frame.getUnsignedByte(at)).isEqualTo((short) FrameType.DATA.code());
		assertThat(frame.getUnsignedByte(at + 1)).isEqualTo((short) (endStream ? Frame.FLAG_END_STREAM : 0));
		assertThat(frame.getInt(at + 2)).isEqualTo(streamId);
		assertThat(frame.getInt(at + 6)).isEqualTo(payload.length);
		assertThat(ByteBufUtil.getBytes(frame, at + FrameCodec.HEADER_LENGTH, payload.length)).isEqualTo(payload);
	}

	/** Whether writing into the payload shows in the frame: the frame holds no copy. */
	private static boolean sharesMemory(ByteBuf frame, ByteBuf payload) {
		int at = frame.readerIndex() + FrameCodec.HEADER_LENGTH;
		byte changed = (byte) (frame.getByte(at) + 1);
		payload.setByte(payload.readerIndex(), changed);
		return frame.getByte(at) == changed;
	}

	private static byte[] bytes(int length, int seed) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (i * 31 + seed);
		}
		return bytes;
	}

}
