package io.swaggersocket.websocket;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.http.SwaggerSocketRouting;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.RoutingOptions;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.client.WebSocketClient;

/**
 * {@link WebSocketClient}s that open WebSockets over SwaggerSocket connections to the
 * peer's WebFlux {@code WebSocketHandler}s, for example
 * {@code webSockets.client(connection).execute(URI.create("ws://swaggersocket/ws/echo"), handler)}.
 * The peer must accept WebSockets over streams (the starter does unless
 * {@code swaggersocket.websocket.enabled=false}); otherwise {@code execute} fails with
 * {@link SwaggerSocketWebSocketHandshakeException} (501) without sending anything.
 */
public final class SwaggerSocketWebSockets {

	private final SwaggerSocketConnections connections;

	private final SwaggerSocketRouting routing;

	private final int maxMessageSize;

	/**
	 * Create the factory.
	 * @param connections this application's connections
	 * @param routing how selectors pick connections
	 * @param maxMessageSize the largest message a session receives
	 */
	public SwaggerSocketWebSockets(SwaggerSocketConnections connections, SwaggerSocketRouting routing,
			int maxMessageSize) {
		this.connections = connections;
		this.routing = routing;
		this.maxMessageSize = maxMessageSize;
	}

	/**
	 * Return a client over one connection.
	 * @param connection the connection
	 * @return the client
	 */
	public WebSocketClient client(SwaggerSocketConnection connection) {
		return new SwaggerSocketWebSocketClient((tried) -> Mono.just(connection), 1, this.maxMessageSize);
	}

	/**
	 * Return a client over this application's connection with the given id, looked up at
	 * each {@code execute}; it fails with {@link SwaggerSocketConnectionClosedException}
	 * while there is none.
	 * @param connectionId the connection id
	 * @return the client
	 */
	public WebSocketClient client(String connectionId) {
		return new SwaggerSocketWebSocketClient((tried) -> Mono
			.defer(() -> this.connections.find(connectionId)
				.map(Mono::just)
				.orElseGet(() -> Mono.error(new SwaggerSocketConnectionClosedException(
						"No open SwaggerSocket connection " + connectionId + " on this application"))))
			.cast(SwaggerSocketConnection.class), 1, this.maxMessageSize);
	}

	/**
	 * Return a client over one of this application's connections whose metadata match the
	 * selector, with the routing defaults ({@code swaggersocket.routing.*}).
	 * @param selector the selector
	 * @return the client
	 */
	public WebSocketClient client(PeerSelector selector) {
		return client(selector, this.routing.defaults());
	}

	/**
	 * Return a client over one of this application's connections whose metadata match the
	 * selector: each {@code execute} picks one as the options say (balancing, waiting for
	 * one to connect), and an opening the peer refused is tried on another match. In a
	 * cluster, agents that other hubs hold are not reached: WebSockets cross no hub.
	 * @param selector the selector
	 * @param options how to pick and how long to wait
	 * @return the client
	 */
	public WebSocketClient client(PeerSelector selector, RoutingOptions options) {
		AtomicInteger cursor = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));
		return new SwaggerSocketWebSocketClient((tried) -> this.routing.chooseLocal(selector, tried, options, cursor),
				options.maxAttempts(), this.maxMessageSize);
	}

	/**
	 * Return the largest message a session receives
	 * ({@code swaggersocket.websocket.max-message-size}).
	 * @return the size in bytes
	 */
	public int maxMessageSize() {
		return this.maxMessageSize;
	}

}
