package io.swaggersocket.test;

import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The WebSocket handlers every test application serves. A query parameter {@code id}
 * names a session, under which its close status, principal and bytes sent are recorded
 * for the test to read.
 * <ul>
 * <li>{@code /ws/echo}: answers each message with the same type and payload; subprotocols
 * {@code echo.v1} and {@code echo.v2};</li>
 * <li>{@code /ws/close?code=&reason=}: closes at once with that status;</li>
 * <li>{@code /ws/flood?count=&size=}: sends {@code count} binary messages of {@code size}
 * bytes, made as they are asked for, then closes with 1000;</li>
 * <li>{@code /ws/ticks?ms=}: sends {@code tick N} every {@code ms} milliseconds until
 * closed.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class TestWebSocketEndpoints {

	/** The close status each named session saw. */
	public static final Map<String, CloseStatus> closeStatuses = new ConcurrentHashMap<>();

	/** The principal name each named session saw ("none" without one). */
	public static final Map<String, String> principals = new ConcurrentHashMap<>();

	/** The payload bytes each named flood session has handed to its session so far. */
	public static final Map<String, AtomicLong> bytesSent = new ConcurrentHashMap<>();

	@Bean
	SimpleUrlHandlerMapping testWebSocketMapping() {
		Map<String, WebSocketHandler> handlers = Map.of("/ws/echo", echo(), "/ws/close", TestWebSocketEndpoints::close,
				"/ws/flood", TestWebSocketEndpoints::flood, "/ws/ticks", TestWebSocketEndpoints::ticks);
		return new SimpleUrlHandlerMapping(handlers, 10);
	}

	private static WebSocketHandler echo() {
		return new WebSocketHandler() {

			@Override
			public List<String> getSubProtocols() {
				return List.of("echo.v1", "echo.v2");
			}

			@Override
			public Mono<Void> handle(WebSocketSession session) {
				record(session);
				return session.send(session.receive().map((message) -> copy(session, message)));
			}

		};
	}

	private static Mono<Void> close(WebSocketSession session) {
		record(session);
		int code = Integer.parseInt(param(session, "code", "1000"));
		return session.close(new CloseStatus(code, param(session, "reason", null)));
	}

	private static Mono<Void> flood(WebSocketSession session) {
		record(session);
		long count = Long.parseLong(param(session, "count", "1"));
		int size = Integer.parseInt(param(session, "size", "1024"));
		AtomicLong sent = bytesSent.computeIfAbsent(param(session, "id", "none"), (id) -> new AtomicLong());
		byte[] chunk = new byte[size];
		Flux<WebSocketMessage> messages = Flux.range(0, (int) count).map((i) -> {
			chunk[0] = i.byteValue();
			sent.addAndGet(size);
			return session.binaryMessage((factory) -> factory.wrap(chunk.clone()));
		});
		return session.send(messages);
	}

	private static Mono<Void> ticks(WebSocketSession session) {
		record(session);
		long ms = Long.parseLong(param(session, "ms", "100"));
		return session.send(Flux.interval(Duration.ofMillis(ms)).map((n) -> session.textMessage("tick " + n)));
	}

	private static WebSocketMessage copy(WebSocketSession session, WebSocketMessage message) {
		DataBuffer payload = message.getPayload();
		byte[] bytes = new byte[payload.readableByteCount()];
		payload.read(bytes);
		return new WebSocketMessage(message.getType(), session.bufferFactory().wrap(bytes));
	}

	private static void record(WebSocketSession session) {
		String id = param(session, "id", null);
		if (id == null) {
			return;
		}
		session.getHandshakeInfo()
			.getPrincipal()
			.map(Principal::getName)
			.defaultIfEmpty("none")
			.subscribe((name) -> principals.put(id, name));
		session.closeStatus().subscribe((status) -> closeStatuses.put(id, status));
	}

	private static String param(WebSocketSession session, String name, String fallback) {
		String value = UriComponentsBuilder.fromUri(session.getHandshakeInfo().getUri())
			.build()
			.getQueryParams()
			.getFirst(name);
		return (value != null) ? value : fallback;
	}

}
