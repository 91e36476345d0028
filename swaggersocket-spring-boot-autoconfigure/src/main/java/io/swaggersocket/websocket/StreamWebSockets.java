package io.swaggersocket.websocket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.swaggersocket.protocol.Header;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Serves WebSockets that the peer opens over streams (docs/PROTOCOL.md section 13). Such
 * a stream reaches the application's WebFlux pipeline as a {@code GET} with
 * {@code Upgrade: websocket}, so filters, security and handler mappings apply as to a
 * WebSocket upgrade over HTTP; the starter's {@link SwaggerSocketWebSocketService} then
 * accepts it for the application's {@link WebSocketHandler}. Code that takes such a
 * stream over itself (a proxy, for one) uses {@link #upgrade} directly.
 */
public final class StreamWebSockets {

	private static final Log logger = LogFactory.getLog(StreamWebSockets.class);

	/** Exchange attribute holding the {@link WebSocketStreamRequest} of such a stream. */
	public static final String ATTRIBUTE = StreamWebSockets.class.getName() + ".request";

	private static final String SEC_WEBSOCKET_PROTOCOL = "sec-websocket-protocol";

	private StreamWebSockets() {
	}

	/**
	 * Return the subprotocols a WebSocket handshake offers, in the order offered, from
	 * every {@code Sec-WebSocket-Protocol} field (a comma-separated list each, RFC 6455
	 * section 4.1), trimmed, empty entries dropped.
	 * @param headers the handshake's headers
	 * @return the offered subprotocols, empty if none
	 */
	public static List<String> offeredSubProtocols(HttpHeaders headers) {
		List<String> offered = new ArrayList<>();
		for (String value : headers.getOrEmpty("Sec-WebSocket-Protocol")) {
			offered.addAll(Arrays.asList(StringUtils.tokenizeToStringArray(value, ",")));
		}
		return offered;
	}

	/**
	 * Whether an exchange is a WebSocket opened over a SwaggerSocket stream.
	 * @param exchange the exchange
	 * @return {@code true} if it is
	 */
	public static boolean isWebSocketStream(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE) instanceof WebSocketStreamRequest;
	}

	/**
	 * Accept a WebSocket opened over a stream: answer 200 and run the handler on a
	 * session over the stream. Until this is called the exchange may still be answered
	 * with any HTTP status instead, as any request.
	 * @param exchange the exchange, for which {@link #isWebSocketStream} is true
	 * @param subProtocol the subprotocol chosen from those the peer asked for, or
	 * {@code null}
	 * @param handler the handler
	 * @return completes when the session is over: the handler finished and both sides
	 * closed
	 */
	public static Mono<Void> upgrade(ServerWebExchange exchange, @Nullable String subProtocol,
			WebSocketHandler handler) {
		WebSocketStreamRequest stream = exchange.getAttribute(ATTRIBUTE);
		if (stream == null) {
			return Mono.error(new IllegalStateException("Not a WebSocket over a SwaggerSocket stream"));
		}
		if (!stream.markUpgraded()) {
			return Mono.error(new IllegalStateException("The WebSocket was accepted already"));
		}
		// the principal as this request's context has it (Spring Security's, for one),
		// whoever asks for it later
		return Mono.deferContextual((context) -> {
			ServerHttpRequest request = exchange.getRequest();
			HandshakeInfo info = new HandshakeInfo(request.getURI(), HttpHeaders.copyOf(request.getHeaders()),
					request.getCookies(), exchange.getPrincipal().contextWrite(context), subProtocol,
					request.getRemoteAddress(), Map.of(), exchange.getLogPrefix());
			StreamWebSocketSession.Outbound outbound = new StreamWebSocketSession.Outbound();
			StreamWebSocketSession session = new StreamWebSocketSession(stream.connection(), request.getId(), info,
					outbound, request.getBody(), stream.maxMessageSize());
			List<Header> headers = new ArrayList<>(2);
			headers.add(new Header(Header.STATUS, "200"));
			if (subProtocol != null) {
				headers.add(new Header(SEC_WEBSOCKET_PROTOCOL, subProtocol));
			}
			Mono<Void> sent = stream.responder().respond(headers, outbound.body());
			return Mono.when(sent, handle(session, handler), session.done());
		});
	}

	/**
	 * Run a handler on a session and close the session when it is done: 1000 when it
	 * completes, 1011 when it fails.
	 */
	static Mono<Void> handle(StreamWebSocketSession session, WebSocketHandler handler) {
		return Mono.defer(() -> handler.handle(session))
			.then(Mono.defer(() -> session.close(CloseStatus.NORMAL)))
			.onErrorResume((ex) -> {
				logger.warn(session.getHandshakeInfo().getLogPrefix() + "WebSocket handler failed; closing with 1011",
						ex);
				return session.close(CloseStatus.SERVER_ERROR);
			});
	}

}
