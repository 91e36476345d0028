package io.swaggersocket.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.swaggersocket.connection.LingeringClose;
import io.swaggersocket.connection.WebSocketMessageLimit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.NettyOutbound;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * The endpoint at {@code swaggersocket.server.path}: upgrades the request to a WebSocket
 * with its own upgrade settings (frame and message size limits, application-handled
 * pings, the upgrade request released once upgraded), without changing how the
 * application's other WebSocket endpoints are upgraded. Mapped by the DispatcherHandler,
 * so the upgrade request passes through the application's WebFilter chain (and its
 * security).
 */
public final class SwaggerSocketUpgradeHandler implements WebHandler {

	private final WebSocketService webSocketService;

	private final WebSocketHandler handler;

	private final int maxMessageSize;

	/**
	 * Create an endpoint.
	 * @param handler the handler of upgraded sessions
	 * @param maxMessageSize the largest WebSocket message accepted, in bytes
	 */
	public SwaggerSocketUpgradeHandler(WebSocketHandler handler, int maxMessageSize) {
		this.handler = handler;
		this.maxMessageSize = maxMessageSize;
		this.webSocketService = new HandshakeWebSocketService(new UpgradeReleasingStrategy(
				() -> WebsocketServerSpec.builder().maxFramePayloadLength(maxMessageSize).handlePing(true)));
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		// before the upgrade: once upgraded, the session offers no access to its
		// connection, and a frame may arrive before the session's handler runs
		Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
		if (nativeResponse instanceof NettyOutbound outbound) {
			outbound.withConnection((connection) -> WebSocketMessageLimit.apply(connection, this.maxMessageSize));
		}
		@Nullable Channel lingering = LingeringClose.install(exchange.getResponse());
		AtomicBoolean upgraded = new AtomicBoolean();
		WebSocketHandler handler = new WebSocketHandler() {

			@Override
			public List<String> getSubProtocols() {
				return SwaggerSocketUpgradeHandler.this.handler.getSubProtocols();
			}

			@Override
			public Mono<Void> handle(WebSocketSession session) {
				upgraded.set(true);
				return SwaggerSocketUpgradeHandler.this.handler.handle(session);
			}

		};
		// a refused upgrade leaves an HTTP connection that may serve more requests
		return this.webSocketService.handleRequest(exchange, handler).doFinally((signal) -> {
			if (!upgraded.get()) {
				LingeringClose.remove(lingering);
			}
		});
	}

}
