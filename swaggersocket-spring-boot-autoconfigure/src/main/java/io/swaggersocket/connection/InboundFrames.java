package io.swaggersocket.connection;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.swaggersocket.protocol.FrameCodec;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.core.io.buffer.PooledDataBuffer;

/**
 * Received messages as frames without copying their bytes: the codec decodes a view of
 * the message, and a DATA payload becomes a retained slice of it that outlives the
 * message (the transport releases the message itself once it has been handled).
 */
final class InboundFrames {

	private InboundFrames() {
	}

	/**
	 * A view of a message's readable bytes, for the codec.
	 * @param message the message payload
	 * @return the view, valid while the message is
	 */
	static ByteBuffer view(DataBuffer message) {
		if (message instanceof NettyDataBuffer netty) {
			ByteBuf buf = netty.getNativeBuffer();
			return buf.nioBuffer(buf.readerIndex(), buf.readableBytes());
		}
		ByteBuffer view = null;
		try (DataBuffer.ByteBufferIterator views = message.readableByteBuffers()) {
			while (views.hasNext()) {
				ByteBuffer next = views.next();
				if (view == null) {
					view = next;
				}
				else {
					// several pieces: one copy, for the codec
					view = ByteBuffer.allocate(view.remaining() + next.remaining()).put(view).put(next).flip();
				}
			}
		}
		return (view != null) ? view : ByteBuffer.allocate(0);
	}

	/**
	 * The payload of a DATA frame as a buffer of its own.
	 * @param message the message payload
	 * @param data the frame's payload, as decoded from {@link #view}
	 * @param factory the session's buffer factory
	 * @return the payload, to be released by whoever consumes it
	 */
	static DataBuffer payload(DataBuffer message, ByteBuffer data, DataBufferFactory factory) {
		if (message instanceof NettyDataBuffer netty) {
			ByteBuf buf = netty.getNativeBuffer();
			ByteBuf slice = buf.retainedSlice(buf.readerIndex() + FrameCodec.HEADER_LENGTH, data.remaining());
			NettyDataBufferFactory buffers = (factory instanceof NettyDataBufferFactory nettyFactory) ? nettyFactory
					: new NettyDataBufferFactory(buf.alloc());
			return buffers.wrap(slice);
		}
		if (message instanceof PooledDataBuffer) {
			// memory the session takes back once the message is handled
			return DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.allocate(data.remaining()).put(data).flip());
		}
		return DefaultDataBufferFactory.sharedInstance.wrap(data);
	}

}
