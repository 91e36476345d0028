package io.swaggersocket.connection;

import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;
import reactor.netty.NettyPipeline;

import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Ends the TCP connection of a WebSocket session that Reactor Netty closes on its own
 * (its close, or Netty's decoder after a frame over the limit) the way RFC 6455 section
 * 7.1.1 asks: once the peer has ended its side, not while it may still be sending.
 *
 * <p>
 * Both close the channel as soon as their close frame is written. If the peer's bytes are
 * still arriving then (the rest of the message over the limit, say), the kernel answers
 * them with a reset, and a peer that is still writing fails its write before it reads the
 * close frame: it never learns why the connection ended. Here the channel's close is held
 * back instead: the output ends (the peer reads the close frame, then the end of the
 * stream), whatever still arrives is dropped unread, and the channel closes when the peer
 * ends its side, or after a grace period for a peer that does not.
 *
 * <p>
 * Used on the SwaggerSocket endpoint and on the gateway's outside WebSockets, and on the
 * client side of every connection a {@link ConnectionManager} dials (an agent's to its
 * hub, a hub's link to another hub) and of an upstream route's WebSockets, where the
 * decoder's close frame needs help to leave at all ({@link #installOnClient}). A
 * connection that was not upgraded closes at once. On the endpoint, a connection's
 * orderly end ({@link ClosingHandshake}) has waited for the peer's close frame already
 * when Reactor Netty closes the channel, so a peer that answered ends its side within a
 * round trip, and one that did not gets the grace period once more; a frame over the
 * limit, which Netty's decoder answers, is the case that needs the wait.
 */
public final class LingeringClose {

	private static final Log logger = LogFactory.getLog(LingeringClose.class);

	private static final String HANDLER_NAME = "swaggersocket.lingeringClose";

	private static final String CLOSE_FRAME_ENCODER_NAME = "swaggersocket.closeFrameEncoder";

	private LingeringClose() {
	}

	/**
	 * Hold back the end of the TCP connection of a response about to be upgraded until
	 * the peer ends its side, for at most the grace period the protocol's own closing
	 * handshake gives the peer. Installed before the upgrade, so that it is in place
	 * before the first WebSocket frame can arrive; a response of another server than
	 * Reactor Netty is left as it is.
	 * @param response the response to the upgrade request
	 * @return the connection's channel, for {@link #remove} if the upgrade does not
	 * happen, or {@code null}
	 */
	public static @Nullable Channel install(ServerHttpResponse response) {
		if (!(ServerHttpResponseDecorator.getNativeResponse(response) instanceof NettyOutbound outbound)) {
			return null;
		}
		Channel[] channel = new Channel[1];
		outbound.withConnection((connection) -> channel[0] = connection.channel());
		Channel installed = channel[0];
		if (installed != null) {
			install(installed);
		}
		return installed;
	}

	/**
	 * Hold back the end of a WebSocket client's TCP connection the same way, and let the
	 * close frame that Netty's decoder answers a frame over the limit with reach the
	 * server. Reactor Netty's client pipeline has the WebSocket encoder behind the
	 * decoder, so that frame, written from the decoder's place, would reach the socket
	 * unencoded and fail: the server would only see the connection end. Installed when
	 * the connection is made, before the upgrade request is sent.
	 * @param connection the client's connection
	 */
	public static void installOnClient(Connection connection) {
		ChannelPipeline pipeline = connection.channel().pipeline();
		synchronized (pipeline) {
			install(connection.channel());
			if (pipeline.get(CLOSE_FRAME_ENCODER_NAME) == null) {
				// where the HTTP codec is, the WebSocket decoder takes its place: right
				// in front of it, above TLS, only the decoder's own close frame is still
				// a frame, as the session's frames leave Reactor Netty's encoder as bytes
				WebSocket08FrameEncoder encoder = new WebSocket08FrameEncoder(true);
				if (pipeline.get(NettyPipeline.HttpCodec) != null) {
					pipeline.addBefore(NettyPipeline.HttpCodec, CLOSE_FRAME_ENCODER_NAME, encoder);
				}
				else {
					pipeline.addAfter(HANDLER_NAME, CLOSE_FRAME_ENCODER_NAME, encoder);
				}
			}
		}
	}

	private static void install(Channel channel) {
		ChannelPipeline pipeline = channel.pipeline();
		synchronized (pipeline) {
			if (pipeline.get(HANDLER_NAME) == null) {
				// first, next to the socket: the close reaches it last, and it drops the
				// peer's bytes before anything decodes them
				pipeline.addFirst(HANDLER_NAME, new Linger(SessionTransport.CLOSE_GRACE.toNanos()));
			}
		}
	}

	/**
	 * Take the handler off a connection that was not upgraded and may serve more HTTP
	 * requests.
	 * @param channel what {@link #install} returned
	 */
	public static void remove(@Nullable Channel channel) {
		if (channel != null) {
			ChannelPipeline pipeline = channel.pipeline();
			synchronized (pipeline) {
				if (pipeline.get(HANDLER_NAME) != null) {
					pipeline.remove(HANDLER_NAME);
				}
			}
		}
	}

	/**
	 * Holds the close back, drops what arrives meanwhile. Runs on the channel's event
	 * loop only.
	 */
	private static final class Linger extends ChannelDuplexHandler {

		private final long graceNanos;

		/** The promise of the close held back, or {@code null} until then. */
		private @Nullable ChannelPromise closing;

		private @Nullable ScheduledFuture<?> deadline;

		Linger(long graceNanos) {
			this.graceNanos = graceNanos;
		}

		@Override
		public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
			ChannelPromise closing = this.closing;
			if (closing != null) {
				closing.addListener((future) -> promise.trySuccess());
				return;
			}
			Channel channel = ctx.channel();
			// an HTTP connection whose upgrade was refused has nothing to wait for
			if (!channel.isActive() || !(channel instanceof DuplexChannel duplex) || duplex.isInputShutdown()
					|| ctx.pipeline().get(WebSocketFrameDecoder.class) == null) {
				ctx.close(promise);
				return;
			}
			// a void promise takes no listener: a second close waits on this one
			ChannelPromise held = promise.unvoid();
			this.closing = held;
			duplex.shutdownOutput();
			this.deadline = ctx.executor().schedule(() -> {
				logger.debug("The peer of " + channel + " did not end its side of the connection in time");
				ctx.close(held);
			}, this.graceNanos, TimeUnit.NANOSECONDS);
			// Reactor Netty may have stopped reading for a receiver that is gone
			channel.config().setAutoRead(true);
			ctx.read();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (this.closing != null) {
				ReferenceCountUtil.release(msg);
				return;
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			if (this.closing == null) {
				ctx.fireChannelReadComplete();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			if (this.closing != null) {
				// the peer reset the connection it was told to end: nobody reads
				// this session any more
				logger.debug("The connection " + ctx.channel() + " failed while it was ending: " + cause);
				ctx.close();
				return;
			}
			ctx.fireExceptionCaught(cause);
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
			ChannelPromise closing = this.closing;
			if (closing != null && evt instanceof ChannelInputShutdownEvent) {
				// a channel that allows half closure stays open at the end of the
				// peer's stream
				ctx.close(closing);
				return;
			}
			ctx.fireUserEventTriggered(evt);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			// the end of the peer's stream closes the channel without passing here
			ScheduledFuture<?> deadline = this.deadline;
			if (deadline != null) {
				deadline.cancel(false);
			}
			ChannelPromise closing = this.closing;
			if (closing != null) {
				closing.trySuccess();
			}
			ctx.fireChannelInactive();
		}

	}

}
