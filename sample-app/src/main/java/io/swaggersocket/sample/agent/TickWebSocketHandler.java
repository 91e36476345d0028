package io.swaggersocket.sample.agent;

import java.time.Duration;
import java.time.Instant;

import io.swaggersocket.sample.agent.TickController.Tick;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /ws/ticks}: a live tick stream over WebSocket. One text message a second, the
 * same JSON {@link Tick} as the server-sent events of {@code /api/ticks}, until the
 * client closes the socket; with {@code ?count=N} (1 to 100) the agent closes it with
 * 1000 after N ticks.
 */
final class TickWebSocketHandler implements WebSocketHandler {

	static final Duration INTERVAL = Duration.ofSeconds(1);

	private final AgentIdentity identity;

	private final JsonMapper json;

	TickWebSocketHandler(AgentIdentity identity, JsonMapper json) {
		this.identity = identity;
		this.json = json;
	}

	@Override
	public Mono<Void> handle(WebSocketSession session) {
		String count = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri())
			.build()
			.getQueryParams()
			.getFirst("count");
		long limit = (count != null) ? parseCount(count) : Long.MAX_VALUE;
		if (limit < 1) {
			return session.close(CloseStatus.POLICY_VIOLATION.withReason("count must be between 1 and 100"));
		}
		Flux<Tick> ticks = Flux.interval(Duration.ZERO, INTERVAL)
			.take(limit)
			.map((n) -> new Tick(this.identity.name(), n + 1, Instant.now()));
		// stop ticking as soon as the client has closed, rather than at the next failed
		// write; when the ticks end, the session closes with 1000
		return session.send(ticks.map((tick) -> session.textMessage(this.json.writeValueAsString(tick)))
			.takeUntilOther(session.closeStatus()));
	}

	private static long parseCount(String count) {
		try {
			int n = Integer.parseInt(count);
			return (n >= 1 && n <= 100) ? n : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
