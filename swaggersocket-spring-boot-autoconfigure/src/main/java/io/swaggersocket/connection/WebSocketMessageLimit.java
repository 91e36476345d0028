package io.swaggersocket.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.FrameType;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;

import org.springframework.util.Assert;

/**
 * Holds a WebSocket message that arrives fragmented into continuation frames to the same
 * limit as a message in one frame, with the same reaction: close 1009 (docs/PROTOCOL.md
 * 2.2).
 *
 * <p>
 * Reactor Netty limits each WebSocket frame, and Spring reassembles fragments with a
 * limit of its own whose violation fails the session's inbound side only: the transport
 * stayed open, and closing it from there made Reactor Netty signal the failure a second
 * time, to nobody. So fragments are reassembled here first, within the limit: an
 * oversized message is dropped, fragment by fragment, and stands in the session as the
 * header of a frame of its real size, which the {@link FrameCodec} rejects like any frame
 * over {@code maxFrameSize}: the connection closes with 1009 through its ordinary path
 * (log line, event, released socket).
 */
public final class WebSocketMessageLimit {

	/** The name of the handler in the channel pipeline. */
	public static final String HANDLER_NAME = "swaggersocket.messageLimit";

	private WebSocketMessageLimit() {
	}

	/**
	 * Apply the limit to a Reactor Netty connection before its WebSocket session
	 * receives: a handler at the end of the pipeline, so it sees the WebSocket frames
	 * after the upgrade (and lets everything else pass).
	 * @param connection the connection that carries, or is about to carry, the WebSocket
	 * @param maxMessageSize the largest message accepted, in bytes, frame header included
	 */
	public static void apply(Connection connection, int maxMessageSize) {
		if (connection.channel().pipeline().get(HANDLER_NAME) == null) {
			connection.addHandlerLast(HANDLER_NAME, new Guard(maxMessageSize));
		}
	}

	/**
	 * Reassembles fragmented messages itself, within the limit, so that what follows it
	 * only ever sees whole messages in one frame. Runs on the channel's event loop.
	 */
	private static final class Guard extends ChannelInboundHandlerAdapter {

		private final int maxMessageSize;

		/** The fragments of the message being received, or {@code null}. */
		private @Nullable CompositeByteBuf parts;

		private boolean text;

		private int rsv;

		/** Bytes of the message being received so far. */
		private long size;

		/** The first byte of that message, the protocol frame type, or -1. */
		private int firstByte = -1;

		/** Whether the rest of the message is dropped: it was already over the limit. */
		private boolean dropping;

		Guard(int maxMessageSize) {
			this.maxMessageSize = maxMessageSize;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			boolean continuation = msg instanceof ContinuationWebSocketFrame;
			if (!(continuation || msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame)
					|| (continuation && this.parts == null && !this.dropping)) {
				// not a data frame, or a continuation of nothing: the WebSocket layer
				// decides
				ctx.fireChannelRead(msg);
				return;
			}
			WebSocketFrame frame = (WebSocketFrame) msg;
			ByteBuf content = frame.content();
			boolean last = frame.isFinalFragment();
			if (!continuation) {
				releaseParts();
				this.size = 0;
				this.dropping = false;
				this.firstByte = -1;
			}
			if (this.firstByte < 0 && content.isReadable()) {
				this.firstByte = content.getUnsignedByte(content.readerIndex());
			}
			this.size += content.readableBytes();
			if (this.dropping) {
				frame.release();
				this.dropping = !last;
				return;
			}
			if (this.size > this.maxMessageSize) {
				frame.release();
				releaseParts();
				this.dropping = !last;
				ctx.fireChannelRead(new BinaryWebSocketFrame(true, 0, oversizedFrameHeader()));
				return;
			}
			if (!continuation && last) {
				// the usual case: a whole message in one frame
				ctx.fireChannelRead(msg);
				return;
			}
			if (!continuation) {
				this.parts = ctx.alloc().compositeBuffer();
				this.text = frame instanceof TextWebSocketFrame;
				this.rsv = frame.rsv();
			}
			CompositeByteBuf parts = this.parts;
			// a continuation without a first fragment went to the WebSocket layer above
			Assert.state(parts != null, "A fragmented message has its first part");
			parts.addComponent(true, content.retain());
			frame.release();
			if (last) {
				ByteBuf whole = parts;
				this.parts = null;
				ctx.fireChannelRead(this.text ? new TextWebSocketFrame(true, this.rsv, whole)
						: new BinaryWebSocketFrame(true, this.rsv, whole));
			}
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext ctx) {
			releaseParts();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			releaseParts();
			ctx.fireChannelInactive();
		}

		private void releaseParts() {
			if (this.parts != null) {
				this.parts.release();
				this.parts = null;
			}
		}

		/**
		 * The header of a frame as large as the message: of the message's type if it
		 * names one, on stream 0.
		 */
		private ByteBuf oversizedFrameHeader() {
			int type = (this.firstByte >= 0 && FrameType.of(this.firstByte) != null) ? this.firstByte
					: FrameType.DATA.code();
			long payload = Math.min(this.size - FrameCodec.HEADER_LENGTH, 0xFFFFFFFFL);
			return Unpooled.buffer(FrameCodec.HEADER_LENGTH)
				.writeByte(type)
				.writeByte(0)
				.writeInt(0)
				.writeInt((int) payload);
		}

	}

}
