package io.swaggersocket.websocket;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketStreamRefusedException;
import io.swaggersocket.http.HeaderMapping;
import io.swaggersocket.protocol.Header;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.client.WebSocketClient;

/**
 * Opens WebSockets over SwaggerSocket streams to the peer's WebSocket handlers. The URI's
 * path and query travel, its authority becomes the Host header; scheme and port are
 * ignored.
 */
final class SwaggerSocketWebSocketClient implements WebSocketClient {

	private static final Set<String> MANAGED_HEADERS = Set.of("sec-websocket-key", "sec-websocket-version",
			"sec-websocket-extensions", "sec-websocket-accept", "sec-websocket-protocol", "host");

	private final Function<Set<String>, Mono<SwaggerSocketConnection>> connections;

	private final int maxAttempts;

	private final int maxMessageSize;

	private final AtomicInteger sessions = new AtomicInteger();

	/**
	 * Create a client.
	 * @param connections picks the connection for an attempt, given the ids tried already
	 * @param maxAttempts how many connections an opening the peer refused is tried on
	 * @param maxMessageSize the largest message a session receives
	 */
	SwaggerSocketWebSocketClient(Function<Set<String>, Mono<SwaggerSocketConnection>> connections, int maxAttempts,
			int maxMessageSize) {
		this.connections = connections;
		this.maxAttempts = maxAttempts;
		this.maxMessageSize = maxMessageSize;
	}

	@Override
	public Mono<Void> execute(URI url, WebSocketHandler handler) {
		return execute(url, new HttpHeaders(), handler);
	}

	@Override
	public Mono<Void> execute(URI url, HttpHeaders headers, WebSocketHandler handler) {
		return Mono.defer(() -> {
			Set<String> tried = new HashSet<>();
			// only refusals: the peer saw none of it, and no handler has run
			return Mono.defer(() -> this.connections.apply(tried).flatMap((connection) -> {
				tried.add(connection.id());
				return open(connection, url, headers, handler);
			}))
				.retryWhen(Retry.max(this.maxAttempts - 1L)
					.filter(SwaggerSocketStreamRefusedException.class::isInstance)
					.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
		});
	}

	private Mono<Void> open(SwaggerSocketConnection connection, URI url, HttpHeaders headers,
			WebSocketHandler handler) {
		if (!connection.peerAcceptsWebSockets()) {
			return Mono.error(new SwaggerSocketWebSocketHandshakeException(
					"The peer of connection " + connection.id() + " does not accept WebSockets over streams",
					HttpStatus.NOT_IMPLEMENTED, new HttpHeaders()));
		}
		StreamWebSocketSession.Outbound outbound = new StreamWebSocketSession.Outbound();
		return connection.exchange(wireHeaders(url, headers, handler), outbound.body()).flatMap((response) -> {
			int status = Header.status(response.headers());
			HttpHeaders responseHeaders = HeaderMapping.fromWire(response.headers());
			if (status != 200) {
				outbound.close(null);
				return response.body()
					.doOnNext(DataBufferUtils::release)
					.then(Mono.error(new SwaggerSocketWebSocketHandshakeException(
							"The peer answered the WebSocket to " + url.getRawPath() + " with " + status,
							HttpStatusCode.valueOf(status), responseHeaders)));
			}
			HandshakeInfo info = new HandshakeInfo(url, responseHeaders, Mono.empty(),
					responseHeaders.getFirst("sec-websocket-protocol"));
			StreamWebSocketSession session = new StreamWebSocketSession(connection,
					connection.id() + "-ws-" + this.sessions.incrementAndGet(), info, outbound, response.body(),
					this.maxMessageSize);
			Mono<Void> handling = Mono.defer(() -> handler.handle(session))
				.then(Mono.defer(() -> session.close(CloseStatus.NORMAL)))
				.onErrorResume((ex) -> session.close(CloseStatus.SERVER_ERROR).then(Mono.error(ex)));
			return Mono.when(handling, session.done()).doOnCancel(session::abort);
		});
	}

	private static List<Header> wireHeaders(URI url, HttpHeaders headers, WebSocketHandler handler) {
		List<Header> pseudo = new ArrayList<>(4);
		pseudo.add(new Header(Header.METHOD, "CONNECT"));
		pseudo.add(new Header(Header.PROTOCOL, "websocket"));
		pseudo.add(new Header(Header.PATH, HeaderMapping.originForm(url)));
		HttpHeaders endToEnd = new HttpHeaders();
		headers.forEach((name, values) -> {
			if (!MANAGED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
				endToEnd.addAll(name, values);
			}
		});
		List<Header> wire = new ArrayList<>(HeaderMapping.toWire(pseudo, endToEnd));
		String host = (headers.getFirst(HttpHeaders.HOST) != null) ? headers.getFirst(HttpHeaders.HOST)
				: url.getRawAuthority();
		int regular = pseudo.size();
		if (host != null) {
			wire.add(regular++, new Header("host", host));
		}
		List<String> protocols = handler.getSubProtocols();
		if (!protocols.isEmpty()) {
			wire.add(regular, new Header("sec-websocket-protocol", String.join(", ", protocols)));
		}
		return wire;
	}

}
