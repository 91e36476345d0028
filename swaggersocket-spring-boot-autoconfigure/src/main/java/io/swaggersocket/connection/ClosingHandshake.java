package io.swaggersocket.connection;

import java.lang.reflect.Method;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

/**
 * Starts the WebSocket closing handshake (RFC 6455 section 7.1.2) without ending the TCP
 * connection: Reactor Netty's own {@code sendClose} closes the channel as soon as the close
 * frame is written, so a peer with frames still in flight gets a TCP reset instead of the
 * close. Here the close frame is written on its own and the channel keeps reading; when the
 * peer's close frame arrives, Reactor Netty answers it with a close frame of its own and ends
 * the connection. That answer would be a second close frame from this side, which RFC 6455
 * forbids, so a handler drops it and completes its write, which lets Reactor Netty end the
 * connection as it meant to. The caller bounds the wait for the peer.
 */
final class ClosingHandshake {

	private static final Log logger = LogFactory.getLog(ClosingHandshake.class);

	private static final String HANDLER_NAME = "swaggersocket.closingHandshake";

	private static final @Nullable Method GET_DELEGATE = getDelegate();

	private ClosingHandshake() {
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
			if (channel == null) {
				return session.close(status);
			}
			if (!channel.isActive()) {
				return Mono.empty();
			}
			if (channel.pipeline().get(HANDLER_NAME) == null) {
				channel.pipeline().addLast(HANDLER_NAME, new OneCloseFrame());
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
	 * protected accessor; without it (another adapter, or access denied) the caller falls back
	 * to the adapter's own close, which ends TCP at once.
	 */
	private static @Nullable Channel channel(WebSocketSession session) {
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
			logger.debug("Cannot reach the channel of " + session + "; closing it at once", ex);
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
	 * Lets the first close frame through and swallows later ones. Sits at the tail of the
	 * pipeline, where Reactor Netty's close frames start; runs on the channel's event loop only.
	 */
	private static final class OneCloseFrame extends ChannelOutboundHandlerAdapter {

		private boolean closeSent;

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
			if (msg instanceof CloseWebSocketFrame close && close.isFinalFragment()) {
				if (this.closeSent) {
					close.release();
					// its listener ends the connection: the closing handshake is complete
					promise.setSuccess();
					return;
				}
				this.closeSent = true;
			}
			super.write(ctx, msg, promise);
		}

	}

}
