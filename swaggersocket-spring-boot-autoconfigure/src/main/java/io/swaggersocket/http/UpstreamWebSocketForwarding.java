package io.swaggersocket.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.swaggersocket.connection.LingeringClose;
import io.swaggersocket.websocket.StreamWebSockets;
import io.swaggersocket.websocket.WebSocketRelay;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.server.ServerWebExchange;

/**
 * Forwards a WebSocket opened over a stream to a route's upstream as a WebSocket
 * ({@code ws} for an {@code http} route, {@code wss} for {@code https}). The upstream's
 * handshake comes first: only once it answered 101 is the stream accepted, with the
 * subprotocol the upstream chose, so that a refusal reaches the caller as an HTTP status
 * rather than as a WebSocket that opens and closes at once. Messages and close codes are
 * then relayed both ways by {@link WebSocketRelay}.
 *
 * <p>
 * An upstream that cannot be reached gets the caller a 502, one that does not answer the
 * handshake within the route's response timeout a 504. One that answers with a 3xx, 4xx
 * or 5xx status has that status (and its end-to-end header fields) relayed, as an HTTP
 * route relays any answer; one that answers with another status without upgrading (a
 * plain HTTP server's 200) gets the caller a 502, because a 2xx over a stream means the
 * WebSocket is open.
 */
final class UpstreamWebSocketForwarding {

	private static final Log logger = LogFactory.getLog(UpstreamWebSocketForwarding.class);

	/**
	 * Each side's client and server manage these for their own handshake; the
	 * subprotocols the caller offered are offered again by the upstream client.
	 */
	private static final List<String> HANDSHAKE_FIELDS = List.of("Sec-WebSocket-Key", "Sec-WebSocket-Version",
			"Sec-WebSocket-Extensions", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol");

	/** Describe the upstream's answer, not the problem detail we send instead of it. */
	private static final List<String> ANSWER_BODY_FIELDS = List.of(HttpHeaders.CONTENT_LENGTH, HttpHeaders.CONTENT_TYPE,
			HttpHeaders.CONTENT_ENCODING);

	private final SwaggerSocketRoute route;

	private final HttpClient client;

	private final int maxMessageSize;

	UpstreamWebSocketForwarding(SwaggerSocketRoute route, HttpClient client, int maxMessageSize) {
		this.route = route;
		this.client = client;
		this.maxMessageSize = maxMessageSize;
	}

	/**
	 * Open the WebSocket to the upstream and, once it is open, accept the stream's.
	 * @param exchange the exchange of the stream's WebSocket
	 * @param upstream the upstream's {@code http(s)} URI, path rewritten and query added
	 * @param headers the header fields to forward, hop-by-hop ones already dropped
	 * @return completes when both WebSockets are closed, or once the caller was answered
	 * with an error status
	 */
	Mono<Void> forward(ServerWebExchange exchange, URI upstream, HttpHeaders headers) {
		URI target = webSocketUri(upstream);
		HttpHeaders forwarded = new HttpHeaders();
		forwarded.addAll(headers);
		HANDSHAKE_FIELDS.forEach(forwarded::remove);
		List<String> offered = StreamWebSockets.offeredSubProtocols(exchange.getRequest().getHeaders());
		String host = forwarded.getFirst(HttpHeaders.HOST);
		AtomicBoolean accepted = new AtomicBoolean();
		Sinks.Empty<Void> sent = Sinks.empty();
		HttpClient client = this.client.doOnRequest((request, connection) -> {
			// Reactor Netty writes the Host of the URI into a handshake; put back the
			// caller's where the route preserves it
			if (host != null) {
				request.header(HttpHeaders.HOST, host);
			}
			// before the upgrade: the upstream may send a message over the limit at once
			LingeringClose.installOnClient(connection);
			sent.tryEmitEmpty();
		});
		// the frames of a message are aggregated up to the size a stream's session takes
		ReactorNettyWebSocketClient webSocketClient = new ReactorNettyWebSocketClient(client,
				() -> WebsocketClientSpec.builder().maxFramePayloadLength(this.maxMessageSize));
		// counted from the handshake's start, not the connection's (connect-timeout's
		// part); once the upstream has accepted, a session has no deadline
		Mono<Long> tooLate = sent.asMono()
			.then(Mono.delay(this.route.responseTimeout()))
			.filter((tick) -> !accepted.get())
			.switchIfEmpty(Mono.never());
		return webSocketClient.execute(target, forwarded, new Relay(exchange, offered, accepted))
			.timeout(tooLate)
			.onErrorResume((ex) -> !accepted.get(), (ex) -> refused(exchange, target, ex));
	}

	private Mono<Void> refused(ServerWebExchange exchange, URI target, Throwable ex) {
		logger.debug("WebSocket route " + this.route.path() + " to " + target + " failed", ex);
		if (ex instanceof TimeoutException) {
			return PeerForwarding.problem(exchange, HttpStatus.GATEWAY_TIMEOUT,
					"The upstream of route " + this.route.path() + " did not answer the WebSocket handshake within "
							+ this.route.responseTimeout().toMillis() + " ms");
		}
		HttpResponse answer = (ex instanceof WebSocketClientHandshakeException handshake) ? handshake.response() : null;
		HttpStatus status = (answer != null) ? HttpStatus.resolve(answer.status().code()) : null;
		if (answer != null && status != null && status.value() >= 300) {
			HttpHeaders relayed = new HttpHeaders();
			answer.headers().forEach((field) -> relayed.add(field.getKey(), field.getValue()));
			HttpHeaders endToEnd = HeaderMapping.withoutHopByHop(relayed);
			HANDSHAKE_FIELDS.forEach(endToEnd::remove);
			ANSWER_BODY_FIELDS.forEach(endToEnd::remove);
			exchange.getResponse().getHeaders().addAll(endToEnd);
			return PeerForwarding.problem(exchange, status, "The upstream of route " + this.route.path()
					+ " refused the WebSocket handshake with " + answer.status());
		}
		if (answer != null) {
			return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY, "The upstream of route " + this.route.path()
					+ " answered the WebSocket handshake with " + answer.status() + " instead of 101");
		}
		return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
				"The upstream of route " + this.route.path() + " cannot be reached: " + ex.getMessage());
	}

	private static URI webSocketUri(URI upstream) {
		String scheme = upstream.getScheme().toLowerCase(Locale.ROOT).equals("https") ? "wss" : "ws";
		return URI.create(scheme + upstream.toString().substring(upstream.getScheme().length()));
	}

	/**
	 * Runs on the upstream's session once it is open: accepts the stream's WebSocket with
	 * the upstream's subprotocol and relays between the two.
	 */
	private static final class Relay implements WebSocketHandler {

		private final ServerWebExchange exchange;

		private final List<String> offered;

		private final AtomicBoolean accepted;

		Relay(ServerWebExchange exchange, List<String> offered, AtomicBoolean accepted) {
			this.exchange = exchange;
			this.offered = offered;
			this.accepted = accepted;
		}

		@Override
		public List<String> getSubProtocols() {
			return this.offered;
		}

		@Override
		public Mono<Void> handle(WebSocketSession upstream) {
			this.accepted.set(true);
			@Nullable String subProtocol = upstream.getHandshakeInfo().getSubProtocol();
			// the upstream's session lasts as long as this: until the relay is over
			return StreamWebSockets.upgrade(this.exchange, subProtocol,
					(caller) -> WebSocketRelay.relay(caller, new ReactorNettyRelaySession(upstream)));
		}

	}

}
