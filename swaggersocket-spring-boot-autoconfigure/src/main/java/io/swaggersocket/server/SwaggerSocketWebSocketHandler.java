package io.swaggersocket.server;

import java.util.List;

import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.protocol.FrameCodec;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Hands every accepted WebSocket session to the {@link ConnectionManager} in the server
 * role. Declares the one subprotocol it speaks, so that the upgrade selects it when
 * offered.
 */
public final class SwaggerSocketWebSocketHandler implements WebSocketHandler {

	private final ConnectionManager connectionManager;

	/**
	 * Create a handler.
	 * @param connectionManager runs the connections
	 */
	public SwaggerSocketWebSocketHandler(ConnectionManager connectionManager) {
		this.connectionManager = connectionManager;
	}

	@Override
	public List<String> getSubProtocols() {
		return List.of(FrameCodec.SUBPROTOCOL);
	}

	@Override
	public Mono<Void> handle(WebSocketSession session) {
		return this.connectionManager.accept(session);
	}

}
