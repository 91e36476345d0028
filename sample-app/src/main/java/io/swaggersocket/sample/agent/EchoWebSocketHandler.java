package io.swaggersocket.sample.agent;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * {@code /ws/echo}: an echo console over WebSocket. Each message the client sends comes
 * back as text, prefixed with the agent's name so that a person sees who answered, until
 * the client closes the socket.
 */
final class EchoWebSocketHandler implements WebSocketHandler {

	private final AgentIdentity identity;

	EchoWebSocketHandler(AgentIdentity identity) {
		this.identity = identity;
	}

	@Override
	public Mono<Void> handle(WebSocketSession session) {
		return session.send(session.receive()
			.map((message) -> session.textMessage(this.identity.name() + " echoes: " + message.getPayloadAsText())));
	}

}
