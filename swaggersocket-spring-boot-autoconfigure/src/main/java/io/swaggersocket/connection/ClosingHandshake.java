package io.swaggersocket.connection;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

/**
 * The end of a WebSocket connection on Reactor Netty, done as RFC 6455 section 7 asks.
 *
 * <p>
 * Reactor Netty's own {@code sendClose} closes the channel as soon as the close frame is
 * written, so a peer with frames still in flight gets a TCP reset instead of the close.
 * {@link #start} writes the close frame on its own and the channel keeps reading; when
 * the peer's close frame arrives, Reactor Netty answers it with a close frame of its own
 * and ends the connection. That answer would be a second close frame from this side, so a
 * handler drops it and completes its write, which lets Reactor Netty end the connection
 * as it meant to. The handler drops every other frame written after the close frame too
 * (RFC 6455 section 5.5.1), the close frame Netty's decoder writes on a framing violation
 * included. The caller bounds the wait for the peer.
 *
 * <p>
 * A second handler keeps a transport that the peer cut short from being logged at ERROR.
 * A connection that ends between the fragments of a message (a close frame may come
 * between them) makes Netty's frame aggregator raise
 * {@link PrematureChannelClosureException} after Reactor Netty has let go of the channel,
 * which Reactor Netty then reports as an uncaught exception; and a reset reaches Reactor
 * Netty's receiver twice, the second time after it has ended, as a dropped error.
 */
final class ClosingHandshake {

	private static final Log logger = LogFactory.getLog(ClosingHandshake.class);

	private static final String ONE_CLOSE_FRAME = "swaggersocket.oneCloseFrame";

	private static final String CUT_SHORT = "swaggersocket.cutShortMessage";

	private static final @Nullable Method GET_DELEGATE = getDelegate();

	private ClosingHandshake() {
	}

	/**
	 * Add the handler to the session's channel; call it once the session's inbound is set
	 * up, so that the handler sits after the frame aggregator.
	 * @param session the session
	 * @param logPrefix the connection's log prefix, which changes once the handshake
	 * completes
	 */
	static void install(WebSocketSession session, Supplier<String> logPrefix) {
		Channel channel = channel(session);
		if (channel == null) {
			return;
		}
		ChannelPipeline pipeline = channel.pipeline();
		synchronized (pipeline) {
			if (pipeline.get(ONE_CLOSE_FRAME) != null) {
				return;
			}
			// right after the frame encoder: the decoder writes its own close frame on a
			// framing
			// violation from there, and every other close frame passes there too
			String encoder = null;
			for (Map.Entry<String, ChannelHandler> entry : pipeline) {
				if (entry.getValue() instanceof WebSocketFrameEncoder) {
					encoder = entry.getKey();
				}
			}
			if (encoder != null) {
				pipeline.addAfter(encoder, ONE_CLOSE_FRAME, new OneCloseFrame());
			}
			else {
				pipeline.addLast(ONE_CLOSE_FRAME, new OneCloseFrame());
			}
			// after the frame aggregator, whose exceptions travel towards the tail
			if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
				pipeline.addBefore(NettyPipeline.ReactiveBridge, CUT_SHORT, new TransportCutShort(logPrefix));
			}
		}
	}

	/**
	 * Send a close frame and leave the transport open for the peer's answer.
	 * @param session the session
	 * @param status the close status
	 * @return completes once the close frame is written
	 */
	static Mono<Void> start(WebSocketSession session, CloseStatus status) {
		return Mono.defer(() -> {
			Channel channel = channel(session);
			if (channel != null && !channel.isActive()) {
				// nothing to close: Reactor Netty's close would build a frame it never
				// writes, and leak it
				return Mono.empty();
			}
			if (channel == null || channel.pipeline().get(ONE_CLOSE_FRAME) == null) {
				return session.close(status);
			}
			CloseWebSocketFrame frame = new CloseWebSocketFrame(status.getCode(), status.getReason());
			return Mono.create((sink) -> channel.writeAndFlush(frame).addListener((future) -> {
				if (future.isSuccess()) {
					sink.success();
				}
				else {
					sink.error(future.cause());
				}
			}));
		});
	}

	/**
	 * The session's channel. Spring's adapter keeps its Reactor Netty connection behind a
	 * protected accessor; without it (another adapter, or access denied) nothing is
	 * installed and {@link #start} falls back to the adapter's own close, which ends TCP
	 * at once.
	 */
	static @Nullable Channel channel(WebSocketSession session) {
		if (GET_DELEGATE == null || !(session instanceof ReactorNettyWebSocketSession)) {
			return null;
		}
		try {
			Object delegate = GET_DELEGATE.invoke(session);
			if (!(delegate instanceof ReactorNettyWebSocketSession.WebSocketConnection connection)) {
				return null;
			}
			Channel[] channel = new Channel[1];
			connection.getOutbound().withConnection((Connection netty) -> channel[0] = netty.channel());
			return channel[0];
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Cannot reach the channel of " + session + "; it will be closed at once", ex);
			return null;
		}
	}

	private static @Nullable Method getDelegate() {
		try {
			Method method = AbstractWebSocketSession.class.getDeclaredMethod("getDelegate");
			method.setAccessible(true);
			return method;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("WebSocket sessions will be closed without waiting for the peer's close frame", ex);
			return null;
		}
	}

	/**
	 * Lets the first close frame through and swallows every WebSocket frame after it,
	 * whoever writes it: a second close frame, and whatever was still on its way out (a
	 * pong, a frame of the stream layer). A {@code ByteBuf} that reaches it is a frame
	 * already encoded (a client's {@link MaskedDataFrame}, written past the encoder), and
	 * is swallowed too. Runs on the channel's event loop only.
	 */
	static final class OneCloseFrame extends ChannelOutboundHandlerAdapter {

		private boolean closeSent;

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
			if (this.closeSent && (msg instanceof WebSocketFrame || msg instanceof ByteBuf)) {
				ReferenceCountUtil.release(msg);
				// a close frame's listener ends the connection: the closing handshake is
				// complete
				promise.setSuccess();
				return;
			}
			if (msg instanceof CloseWebSocketFrame close && close.isFinalFragment()) {
				this.closeSent = true;
			}
			super.write(ctx, msg, promise);
		}

	}

	/**
	 * Reports the end of a transport that the peer cut short (a message half sent, a
	 * reset) at DEBUG, and lets the connection end as one without a close: the peer's
	 * doing.
	 */
	private static final class TransportCutShort extends ChannelInboundHandlerAdapter {

		private final Supplier<String> logPrefix;

		TransportCutShort(Supplier<String> logPrefix) {
			this.logPrefix = logPrefix;
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
			if (cause instanceof PrematureChannelClosureException) {
				logger.debug(this.logPrefix.get() + "The connection ended in the middle of a fragmented message");
				return;
			}
			if (cause instanceof IOException) {
				// the transport failed (a reset, mostly): the connection ends as a
				// transport
				// without a close does. Passed on, Reactor Netty signals the error to the
				// receiver once more after it has ended, which logs it as dropped at
				// ERROR
				logger.debug(this.logPrefix.get() + "The transport failed: " + cause);
				ctx.close();
				return;
			}
			super.exceptionCaught(ctx, cause);
		}

	}

}
