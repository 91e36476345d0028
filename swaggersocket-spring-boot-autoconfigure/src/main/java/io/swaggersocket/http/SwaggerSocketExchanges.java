package io.swaggersocket.http;

import java.security.Principal;
import java.util.Optional;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.websocket.StreamWebSockets;
import io.swaggersocket.websocket.WebSocketStreamRequest;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Tells a handler whether its request came over SwaggerSocket, and from which connection.
 * A {@link WebFilter} at the head of the chain puts the connection into the exchange
 * attribute {@link #CONNECTION_ATTRIBUTE} and makes the connection's principal (the one
 * that authenticated the WebSocket upgrade) the exchange's principal.
 */
public final class SwaggerSocketExchanges implements WebFilter, Ordered {

	/**
	 * Exchange attribute holding the {@link SwaggerSocketConnection} a request arrived
	 * on.
	 */
	public static final String CONNECTION_ATTRIBUTE = SwaggerSocketExchanges.class.getName() + ".connection";

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		// not through getNativeRequest(): other requests (a mock's, in tests) may throw
		ServerHttpRequest request = exchange.getRequest();
		while (request instanceof ServerHttpRequestDecorator decorator) {
			request = decorator.getDelegate();
		}
		if (!(request instanceof SocketServerHttpRequest socketRequest)) {
			return chain.filter(exchange);
		}
		SwaggerSocketConnection connection = socketRequest.connection();
		exchange.getAttributes().put(CONNECTION_ATTRIBUTE, connection);
		WebSocketStreamRequest webSocket = socketRequest.webSocket();
		if (webSocket != null) {
			exchange.getAttributes().put(StreamWebSockets.ATTRIBUTE, webSocket);
		}
		Principal principal = connection.info().principal();
		ServerWebExchange dispatched = (principal != null) ? exchange.mutate().principal(Mono.just(principal)).build()
				: exchange;
		return chain.filter(dispatched);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Return the connection a request arrived on.
	 * @param exchange the exchange
	 * @return the connection, or empty for a request that did not come over SwaggerSocket
	 */
	public static Optional<SwaggerSocketConnection> connection(ServerWebExchange exchange) {
		return Optional.ofNullable(exchange.getAttribute(CONNECTION_ATTRIBUTE));
	}

}
