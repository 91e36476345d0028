package io.swaggersocket.http;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.StreamMessage;
import io.swaggersocket.connection.StreamResponder;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketStreamHandler;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.websocket.WebSocketStreamRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Serves streams by dispatching them, as HTTP requests, into the application's WebFlux
 * {@link HttpHandler}: the whole pipeline (WebFilters, security, routing, codecs,
 * exception handlers, observation) applies as to requests over plain HTTP.
 *
 * <p>
 * The dispatched request's URI is {@code http://{Host header}{:path}}; the host is
 * {@code swaggersocket} when the caller sent no Host header. Paths not exposed to the
 * role get 404 without reaching the handler.
 *
 * <p>
 * Identity: when the connection has a principal (the one that authenticated its WebSocket
 * upgrade), that principal is the identity of every request dispatched from it — the
 * exchange's principal and, with Spring Security, its security context — and the
 * requests' {@code Authorization} and {@code Proxy-Authorization} headers are removed, so
 * that no request can claim another identity. Without a principal, requests are
 * authenticated by the application from their own headers, as over plain HTTP.
 */
public final class SocketRequestDispatcher implements SwaggerSocketStreamHandler {

	private static final Log logger = LogFactory.getLog(SocketRequestDispatcher.class);

	/** Host of dispatched requests whose caller sent no Host header. */
	public static final String DEFAULT_HOST = "swaggersocket";

	private final Supplier<@Nullable HttpHandler> httpHandler;

	private final boolean serveOnServerRole;

	private final boolean serveOnClientRole;

	private final List<PathPattern> include;

	private final List<PathPattern> exclude;

	private final AtomicInteger streamNumbers = new AtomicInteger();

	private final int maxWebSocketMessageSize;

	/**
	 * Create a dispatcher.
	 * @param httpHandler the application's handler, looked up on first use and kept, as
	 * the web server keeps its own; {@code null} in an application without one (a non-web
	 * client), which then answers every request with 404
	 * @param serveOnServerRole whether connections this application accepted serve
	 * requests
	 * @param serveOnClientRole whether connections this application dialed serve requests
	 * @param include path patterns that may be reached over the socket
	 * @param exclude path patterns that may not, even if included
	 */
	public SocketRequestDispatcher(Supplier<@Nullable HttpHandler> httpHandler, boolean serveOnServerRole,
			boolean serveOnClientRole, List<String> include, List<String> exclude) {
		this(httpHandler, serveOnServerRole, serveOnClientRole, include, exclude, 0);
	}

	/**
	 * Create a dispatcher.
	 * @param httpHandler the application's handler, looked up on first use and kept, as
	 * the web server keeps its own; {@code null} in an application without one (a non-web
	 * client), which then answers every request with 404
	 * @param serveOnServerRole whether connections this application accepted serve
	 * requests
	 * @param serveOnClientRole whether connections this application dialed serve requests
	 * @param include path patterns that may be reached over the socket
	 * @param exclude path patterns that may not, even if included
	 * @param maxWebSocketMessageSize the largest message a WebSocket the peer opens over
	 * a stream receives; 0 to refuse such WebSockets (the handshake then does not
	 * announce them)
	 */
	public SocketRequestDispatcher(Supplier<@Nullable HttpHandler> httpHandler, boolean serveOnServerRole,
			boolean serveOnClientRole, List<String> include, List<String> exclude, int maxWebSocketMessageSize) {
		this.maxWebSocketMessageSize = maxWebSocketMessageSize;
		// a look-up through the bean factory on every request cost a tenth of the
		// agent's CPU in the echo benchmark
		this.httpHandler = SingletonSupplier.of(httpHandler);
		this.serveOnServerRole = serveOnServerRole;
		this.serveOnClientRole = serveOnClientRole;
		this.include = include.stream().map(PathPatternParser.defaultInstance::parse).toList();
		this.exclude = exclude.stream().map(PathPatternParser.defaultInstance::parse).toList();
	}

	@Override
	public Mono<Void> handle(SwaggerSocketConnection connection, StreamMessage message, StreamResponder responder) {
		String method = Header.pseudo(message.headers(), Header.METHOD);
		String path = Header.pseudo(message.headers(), Header.PATH);
		String protocol = Header.pseudo(message.headers(), Header.PROTOCOL);
		boolean extendedConnect = protocol != null && this.maxWebSocketMessageSize > 0 && "CONNECT".equals(method);
		if (!Header.hasPseudoHeaders(message.headers(),
				extendedConnect ? Header.EXTENDED_CONNECT_PSEUDO_HEADERS : Header.REQUEST_PSEUDO_HEADERS)
				|| method == null || method.isEmpty() || path == null || !path.startsWith("/")) {
			logger.warn("[" + connection.id() + "] Request without a valid :method and :path"
					+ ((protocol != null && !extendedConnect) ? " (a :protocol this side does not accept)" : "")
					+ "; resetting its stream");
			responder.reset(ErrorCode.PROTOCOL_ERROR);
			return Mono.empty();
		}
		HttpHeaders headers = HeaderMapping.fromWire(message.headers());
		WebSocketStreamRequest webSocket = null;
		if (extendedConnect) {
			if (!"websocket".equals(protocol)) {
				return status(responder, 501);
			}
			// as a WebSocket upgrade over HTTP/1.1 reaches WebFlux, so that filters and
			// mappings treat it alike
			method = "GET";
			headers.set(HttpHeaders.UPGRADE, "websocket");
			headers.set(HttpHeaders.CONNECTION, "Upgrade");
			webSocket = new WebSocketStreamRequest(connection, responder, this.maxWebSocketMessageSize);
		}
		if (!message.bodiless() && !headers.containsHeader(HttpHeaders.CONTENT_LENGTH) && webSocket == null) {
			// a body of unknown length follows: say so as HTTP/1.1 would, as Netty's
			// HTTP/2 codec does, or the request looks bodiless (RFC 9112 section 6.3) to
			// whoever forwards it
			headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
		}
		Principal principal = connection.info().principal();
		if (principal != null) {
			headers.remove(HttpHeaders.AUTHORIZATION);
			headers.remove(HttpHeaders.PROXY_AUTHORIZATION);
		}
		URI uri;
		try {
			uri = URI.create("http://" + host(headers) + path);
		}
		catch (IllegalArgumentException ex) {
			return status(responder, 400);
		}
		HttpHandler httpHandler = this.httpHandler.get();
		if (httpHandler == null || !exposed(connection.info().role(), uri.getRawPath())) {
			return status(responder, 404);
		}
		SocketServerHttpRequest request = new SocketServerHttpRequest(HttpMethod.valueOf(method), uri, headers,
				message.body(), connection, this.streamNumbers.incrementAndGet(), webSocket);
		SocketServerHttpResponse response = new SocketServerHttpResponse(responder, "HEAD".equals(method), webSocket);
		String requestMethod = method;
		return httpHandler.handle(request, response)
			.then(Mono.defer(response::completeIfUnanswered))
			.contextWrite((principal != null) ? SecurityContextPropagation.of(principal) : Function.identity())
			.onErrorResume((ex) -> {
				if (SocketServerHttpResponse.isPeerGone(ex) || SocketServerHttpResponse.isPeerGone(ex.getCause())) {
					// the caller reset the stream or the connection ended: nobody is left
					// to answer
					logger.debug("[" + connection.id() + "] Caller went away during " + requestMethod + " " + path
							+ ": " + ex);
					return Mono.empty();
				}
				if (response.isResponded()) {
					return Mono.error(ex);
				}
				logger.error("[" + connection.id() + "] Unhandled failure dispatching " + requestMethod + " " + path,
						ex);
				return status(responder, 500);
			});
	}

	private boolean exposed(ConnectionRole role, String rawPath) {
		boolean serve = (role == ConnectionRole.SERVER) ? this.serveOnServerRole : this.serveOnClientRole;
		if (!serve) {
			return false;
		}
		PathContainer path = PathContainer.parsePath(rawPath);
		return this.include.stream().anyMatch((pattern) -> pattern.matches(path))
				&& this.exclude.stream().noneMatch((pattern) -> pattern.matches(path));
	}

	private static String host(HttpHeaders headers) {
		String host = headers.getFirst(HttpHeaders.HOST);
		return (host != null && !host.isBlank()) ? host : DEFAULT_HOST;
	}

	private static Mono<Void> status(StreamResponder responder, int status) {
		return responder.respond(List.of(new Header(Header.STATUS, Integer.toString(status))), Flux.empty());
	}

}
