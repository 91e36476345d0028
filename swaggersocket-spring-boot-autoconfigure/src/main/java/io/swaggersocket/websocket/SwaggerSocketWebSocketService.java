package io.swaggersocket.websocket;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.server.ServerWebExchange;

/**
 * The application's {@link WebSocketService}, extended to WebSockets opened over
 * SwaggerSocket streams: those are accepted on the stream, every other upgrade goes to
 * the application's service as before. The starter installs it in the application's
 * {@code WebSocketHandlerAdapter}.
 */
public final class SwaggerSocketWebSocketService implements WebSocketService {

	private final WebSocketService delegate;

	/**
	 * Create the service.
	 * @param delegate the service for upgrades over HTTP
	 */
	public SwaggerSocketWebSocketService(WebSocketService delegate) {
		this.delegate = delegate;
	}

	/**
	 * Return the service for upgrades over HTTP.
	 * @return the application's service
	 */
	public WebSocketService getDelegate() {
		return this.delegate;
	}

	@Override
	public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
		if (!StreamWebSockets.isWebSocketStream(exchange)) {
			return this.delegate.handleRequest(exchange, handler);
		}
		return StreamWebSockets.upgrade(exchange, selectProtocol(exchange.getRequest().getHeaders(), handler), handler);
	}

	/**
	 * The first protocol the peer asked for that the handler supports, as WebFlux does.
	 */
	private static @Nullable String selectProtocol(HttpHeaders headers, WebSocketHandler handler) {
		for (String protocol : StreamWebSockets.offeredSubProtocols(headers)) {
			if (handler.getSubProtocols().contains(protocol)) {
				return protocol;
			}
		}
		return null;
	}

}
