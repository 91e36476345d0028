package io.swaggersocket.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.LingeringClose;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketHeadersTooLargeException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.routing.LoadBalancing;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.routing.SwaggerSocketTooManyWaitingException;
import io.swaggersocket.websocket.StreamWebSockets;
import io.swaggersocket.websocket.SwaggerSocketWebSocketHandshakeException;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import io.swaggersocket.websocket.WebSocketRelay;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.WebSocketClient;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;

/**
 * The gateway's WebSocket upgrades: an outside client's {@code GET} with
 * {@code Upgrade: websocket} to {@code {prefix}/{id or selector}/**} is carried to the
 * peer's {@code WebSocketHandler} over a stream of its connection, and relayed both ways
 * with {@link WebSocketRelay}.
 *
 * <p>
 * The peer's side is opened first, with the request's end-to-end headers and the
 * subprotocols it asks for; only once the peer accepted is the outside client's socket
 * upgraded, with the subprotocol the peer chose. Until then the gateway can still answer
 * with any HTTP status: the peer's refusal is passed on with its status (a problem
 * detail), a failed stream or connection is a 502, as for the HTTP gateway. A connection
 * another hub of the cluster holds is a 501: WebSockets reach the agents connected to
 * this hub only.
 */
final class GatewayWebSocketForwarding {

	private static final Log logger = LogFactory.getLog(GatewayWebSocketForwarding.class);

	/**
	 * Fields of the outside client's handshake with this hub: the stream to the peer has
	 * a handshake of its own ({@code :protocol websocket}, the subprotocols offered by
	 * the handler), so these are never passed on.
	 */
	private static final Set<String> HANDSHAKE_FIELDS = Set.of("sec-websocket-key", "sec-websocket-version",
			"sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept", "content-length");

	private static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";

	private final SwaggerSocketWebSockets webSockets;

	private final @Nullable ConnectionDirectory directory;

	private final SwaggerSocketRouting routing;

	private final WebSocketService outside;

	/**
	 * Create the gateway's WebSocket forwarding.
	 * @param webSockets the WebSocket clients over this hub's connections
	 * @param directory the cluster's directory, or {@code null} outside a cluster
	 * @param routing the routing of requests by selector, to tell a selector matched only
	 * elsewhere in the cluster from one that matched nothing
	 */
	GatewayWebSocketForwarding(SwaggerSocketWebSockets webSockets, @Nullable ConnectionDirectory directory,
			SwaggerSocketRouting routing) {
		this.webSockets = webSockets;
		this.directory = directory;
		this.routing = routing;
		int maxMessageSize = webSockets.maxMessageSize();
		// the outside socket takes the messages the stream takes: frames up to the
		// largest message, and fragments aggregated (by the session) up to it
		this.outside = new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy(
				() -> WebsocketServerSpec.builder().maxFramePayloadLength(maxMessageSize)));
	}

	/**
	 * Whether the request asks for a WebSocket upgrade.
	 */
	static boolean isUpgrade(ServerHttpRequest request) {
		String upgrade = request.getHeaders().getUpgrade();
		return upgrade != null && "websocket".equalsIgnoreCase(upgrade.trim());
	}

	/**
	 * Carry the upgrade to a connection of this hub.
	 * @param exchange the upgrade request
	 * @param connection the peer's live connection
	 * @param target where on the peer
	 * @param headers the request's headers as the peer is to see them
	 */
	Mono<Void> toConnection(ServerWebExchange exchange, SwaggerSocketConnection connection,
			PeerForwarding.Target target, HttpHeaders headers) {
		String peer = "connection '" + connection.id() + "'";
		return forward(exchange, this.webSockets.client(connection), target, headers, peer);
	}

	/**
	 * Answer an upgrade for a connection this hub does not hold: 501 if another hub of
	 * the cluster holds it, 503 if the directory cannot tell, else 404.
	 * @param exchange the upgrade request
	 * @param connectionId the connection's id
	 */
	Mono<Void> elsewhere(ServerWebExchange exchange, String connectionId) {
		ConnectionDirectory directory = this.directory;
		Mono<Void> notFound = Mono.defer(() -> PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND,
				"No live connection with id '" + connectionId + "'"));
		if (directory == null) {
			return notFound;
		}
		// the answer is a Mono<Void>, empty either way: decided first, then written
		return directory.locateForCall(connectionId)
			.map((location) -> !location.local())
			.defaultIfEmpty(false)
			.flatMap((remote) -> remote ? heldByAnotherHub(exchange, "Connection '" + connectionId + "'") : notFound)
			.onErrorResume(SwaggerSocketClusterUnavailableException.class,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE,
							"The cluster's directory is unavailable: connection '" + connectionId
									+ "' cannot be reached from this hub"));
	}

	/**
	 * Carry the upgrade to one of this hub's connections that match a selector.
	 * @param exchange the upgrade request
	 * @param selector the selector
	 * @param options how to pick and how long to wait
	 * @param target where on the peer
	 * @param headers the request's headers as the peer is to see them
	 */
	Mono<Void> bySelector(ServerWebExchange exchange, PeerSelector selector, RoutingOptions options,
			PeerForwarding.Target target, HttpHeaders headers) {
		String peer = "a peer matching '" + selector + "'";
		return forward(exchange, this.webSockets.client(selector, options), target, headers, peer)
			.onErrorResume(SwaggerSocketNoMatchingPeerException.class, (ex) -> noMatch(exchange, selector, ex))
			.onErrorResume(SwaggerSocketTooManyWaitingException.class, (ex) -> PeerForwarding.problem(exchange,
					HttpStatus.SERVICE_UNAVAILABLE, String.valueOf(ex.getMessage())));
	}

	/**
	 * No connection of this hub matches: 404, or 501 if one held by another hub does.
	 */
	private Mono<Void> noMatch(ServerWebExchange exchange, PeerSelector selector, Throwable ex) {
		Mono<Void> notFound = Mono
			.defer(() -> PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND, String.valueOf(ex.getMessage())));
		if (this.directory == null) {
			return notFound;
		}
		return this.routing.choose(selector, Set.of(), LoadBalancing.ROUND_ROBIN, new AtomicInteger())
			.map((candidate) -> candidate.local() == null)
			.defaultIfEmpty(false)
			.flatMap((remote) -> remote ? heldByAnotherHub(exchange, "The only peers matching '" + selector + "'")
					: notFound)
			.onErrorResume(SwaggerSocketClusterUnavailableException.class, (unavailable) -> notFound);
	}

	private static Mono<Void> heldByAnotherHub(ServerWebExchange exchange, String what) {
		return PeerForwarding.problem(exchange, HttpStatus.NOT_IMPLEMENTED,
				what + " connected to another hub of the cluster: WebSockets reach agents connected to this hub only");
	}

	/**
	 * Open the peer's side, then upgrade the outside client's socket and relay.
	 */
	private Mono<Void> forward(ServerWebExchange exchange, WebSocketClient client, PeerForwarding.Target target,
			HttpHeaders headers, String peer) {
		ServerHttpRequest request = exchange.getRequest();
		String invalid = invalidUpgrade(request);
		if (invalid != null) {
			return PeerForwarding.problem(exchange, HttpStatus.BAD_REQUEST, invalid);
		}
		List<String> subProtocols = StreamWebSockets.offeredSubProtocols(request.getHeaders());
		HttpHeaders outgoing = HeaderMapping.withoutHopByHop(headers);
		HANDSHAKE_FIELDS.forEach(outgoing::remove);
		URI uri = URI.create("ws://" + SocketRequestDispatcher.DEFAULT_HOST + target.target());
		return Mono.defer(() -> {
			PeerSide peerSide = new PeerSide(subProtocols);
			Disposable call = client.execute(uri, outgoing, peerSide)
				.subscribe(null, peerSide::failed, peerSide::ended);
			return peerSide.opened()
				// the outside client left before the peer answered: the stream is
				// cancelled
				.doOnCancel(call::dispose)
				.flatMap((session) -> upgrade(exchange, session, peerSide));
		}).onErrorResume((ex) -> !exchange.getResponse().isCommitted(), (ex) -> refused(exchange, peer, ex));
	}

	/**
	 * Upgrade the outside client's socket with the peer's subprotocol and relay; if it is
	 * never upgraded (the client left, the handshake failed), the peer's session is
	 * closed with 1001.
	 */
	private Mono<Void> upgrade(ServerWebExchange exchange, WebSocketSession peerSession, PeerSide peerSide) {
		AtomicBoolean relaying = new AtomicBoolean();
		String subProtocol = peerSession.getHandshakeInfo().getSubProtocol();
		WebSocketHandler outsideSide = new WebSocketHandler() {

			@Override
			public List<String> getSubProtocols() {
				return (subProtocol != null) ? List.of(subProtocol) : List.of();
			}

			@Override
			public Mono<Void> handle(WebSocketSession outsideSession) {
				relaying.set(true);
				return WebSocketRelay.relay(new ReactorNettyRelaySession(outsideSession), peerSession)
					.doFinally((signal) -> peerSide.finish());
			}

		};
		// Spring picks the subprotocol from the header split at commas, spaces kept:
		// "a, b" would never match "b"
		List<String> offered = StreamWebSockets.offeredSubProtocols(exchange.getRequest().getHeaders());
		ServerWebExchange upgrading = offered.isEmpty() ? exchange
				: exchange.mutate()
					.request((request) -> request
						.headers((headers) -> headers.set(SEC_WEBSOCKET_PROTOCOL, String.join(",", offered))))
					.build();
		@Nullable Channel lingering = LingeringClose.install(exchange.getResponse());
		// Reactor Netty runs the handler, if at all, before the upgrade's Mono ends
		return this.outside.handleRequest(upgrading, outsideSide).doFinally((signal) -> {
			if (!relaying.get()) {
				LingeringClose.remove(lingering);
				logger.debug("WebSocket upgrade of " + exchange.getRequest().getPath() + " ended with " + signal
						+ " before the relay began: closing the peer's side");
				peerSession.close(CloseStatus.GOING_AWAY).onErrorComplete().subscribe();
				peerSide.finish();
			}
		});
	}

	/**
	 * Answer an upgrade that did not reach the peer's handler.
	 */
	private Mono<Void> refused(ServerWebExchange exchange, String peer, Throwable ex) {
		if (ex instanceof SwaggerSocketWebSocketHandshakeException refusal) {
			return refusedByPeer(exchange, peer, refusal);
		}
		if (ex instanceof SwaggerSocketHeadersTooLargeException) {
			return PeerForwarding.problem(exchange, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
					"The WebSocket upgrade cannot be sent to " + peer + ": " + ex.getMessage());
		}
		if (ex instanceof SwaggerSocketConnectionClosedException || ex instanceof SwaggerSocketStreamResetException
				|| ex instanceof IllegalStateException) {
			logger.debug("Gateway WebSocket to " + peer + " failed", ex);
			return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
					"The WebSocket to " + peer + " failed: " + ex.getMessage());
		}
		return Mono.error(ex);
	}

	private static Mono<Void> refusedByPeer(ServerWebExchange exchange, String peer,
			SwaggerSocketWebSocketHandshakeException refusal) {
		HttpStatusCode status = HttpStatusCode.valueOf(refusal.getStatusCode().value());
		if (status.value() == HttpStatus.NOT_IMPLEMENTED.value()) {
			return PeerForwarding.problem(exchange, HttpStatus.NOT_IMPLEMENTED,
					"The peer of " + peer + " does not take WebSockets over SwaggerSocket");
		}
		ServerHttpResponse response = exchange.getResponse();
		// what the peer said about its refusal (WWW-Authenticate, Retry-After, Allow...),
		// without what framed its own answer
		HttpHeaders passed = HeaderMapping.withoutHopByHop(refusal.getHeaders());
		ClusterForwarder.removeClusterHeaders(passed);
		passed.headerNames()
			.stream()
			.filter((name) -> name.toLowerCase(Locale.ROOT).startsWith("content-")
					|| HANDSHAKE_FIELDS.contains(name.toLowerCase(Locale.ROOT)))
			.toList()
			.forEach(passed::remove);
		response.getHeaders().addAll(passed);
		HttpStatus known = HttpStatus.resolve(status.value());
		String detail = peer.substring(0, 1).toUpperCase(Locale.ROOT) + peer.substring(1)
				+ " refused the WebSocket with status " + status.value();
		return PeerForwarding.problem(exchange, status, (known != null) ? known.getReasonPhrase() : "", detail);
	}

	/**
	 * What makes the request no WebSocket handshake that this hub could complete, as
	 * Spring's {@link HandshakeWebSocketService} checks it, before anything is opened to
	 * the peer.
	 */
	private static @Nullable String invalidUpgrade(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		if (request.getMethod() != HttpMethod.GET) {
			return "A WebSocket upgrade must be a GET";
		}
		boolean connectionUpgrade = headers.getConnection()
			.stream()
			.anyMatch((token) -> "upgrade".equalsIgnoreCase(token.trim()));
		if (!connectionUpgrade) {
			return "A WebSocket upgrade must have \"Connection: upgrade\"";
		}
		if (headers.getFirst("Sec-WebSocket-Key") == null) {
			return "A WebSocket upgrade must have a \"Sec-WebSocket-Key\"";
		}
		return null;
	}

	/**
	 * The handler of the peer's side: hands its session over once the peer accepted, and
	 * keeps it open until the relay is done.
	 */
	private static final class PeerSide implements WebSocketHandler {

		private final List<String> subProtocols;

		private final Sinks.One<WebSocketSession> opened = Sinks.one();

		private final Sinks.Empty<Void> finished = Sinks.empty();

		PeerSide(List<String> subProtocols) {
			this.subProtocols = subProtocols;
		}

		@Override
		public List<String> getSubProtocols() {
			return this.subProtocols;
		}

		@Override
		public Mono<Void> handle(WebSocketSession session) {
			this.opened.tryEmitValue(session);
			return this.finished.asMono();
		}

		Mono<WebSocketSession> opened() {
			return this.opened.asMono();
		}

		void failed(Throwable ex) {
			if (this.opened.tryEmitError(ex).isFailure()) {
				logger.debug("WebSocket to the peer ended with an error after it was relayed", ex);
			}
		}

		void ended() {
			// the peer's side ended without a session (it cannot once accepted): nothing
			// to relay
			this.opened.tryEmitError(new IllegalStateException("The peer's WebSocket ended before it opened"));
		}

		void finish() {
			this.finished.tryEmitEmpty();
		}

	}

}
