package io.swaggersocket.http;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHeadersTooLargeException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.routing.SwaggerSocketTooManyWaitingException;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * The opt-in HTTP gateway to peers: {@code {prefix}/{connectionId}/**} forwards any
 * request to that connection's peer over its socket (method, the path after the
 * connection id, query, end-to-end headers, body streamed under flow control) and streams
 * the answer back. An ordinary endpoint of the application: its WebFilters and security
 * apply.
 *
 * <p>
 * The peer sees the request's path without the prefix and id, with
 * {@code X-Forwarded-Prefix: {prefix}/{connectionId}}. No live connection with that id:
 * 404; request headers larger than the peer accepts: 431; the stream is refused, reset or
 * malformed, or the connection fails, before the answer's head went out: 502; each with
 * an RFC 9457 problem detail. After it, the response is aborted (the client's connection
 * closed without the end of the body), so that a body cut short never looks complete. The
 * peer's {@code content-length} is kept but enforced: no byte beyond it is written, and a
 * body of another length aborts the response (docs/PROTOCOL.md 6.5).
 *
 * <p>
 * In a cluster ({@code swaggersocket.cluster.enabled}), a connection that this hub does
 * not hold is looked up in the {@link ConnectionDirectory} and the call forwarded to the
 * hub that holds it ({@link ClusterForwarder}), which answers as its own gateway would.
 * Besides the answers above: the directory unavailable is a 503; the owning hub
 * unreachable a 502; an owning hub that no longer holds the connection makes this hub
 * look it up once more and follow it once if it moved (a request with a body that moved
 * meanwhile is a 503: it reached no peer), else 404.
 *
 * <p>
 * A segment with {@code =} in place of the id is a {@link PeerSelector}:
 * {@code {prefix}/region=eu-west,tier=gold/**} reaches one live connection (here or, in a
 * cluster, on any hub) whose metadata matches every pair, picked and retried as by a
 * selector-bound {@code WebClient}
 * ({@link SwaggerSocketWebClients#builder(PeerSelector)}) with the routing's default
 * options; a request with a body is retried only if none of it was sent yet. The request
 * may ask to wait for a matching connection with {@value #WAIT_HEADER}. No match: 404
 * naming the selector; a malformed selector or wait: 400; too many requests waiting
 * already, or the directory unavailable: 503.
 *
 * <p>
 * Built with {@link SwaggerSocketWebSockets}, the gateway also carries WebSocket upgrades
 * ({@code GET} with {@code Upgrade: websocket}) to the peer's {@code WebSocketHandler}s,
 * by id or by selector, relaying messages and close codes both ways: the peer's side is
 * opened first, and the client's upgrade answered only once the peer accepted (else with
 * the peer's status, or 502). WebSockets reach only this hub's own connections: one that
 * another hub of the cluster holds is a 501.
 */
public final class SwaggerSocketGatewayHandler implements WebHandler {

	private static final Log logger = LogFactory.getLog(SwaggerSocketGatewayHandler.class);

	/**
	 * The request header with which a gateway request by selector asks to wait, in
	 * seconds, for a matching connection when none is connected; at most
	 * {@code swaggersocket.routing.max-wait-timeout}. Not passed on to the peer.
	 */
	public static final String WAIT_HEADER = "X-SwaggerSocket-Wait";

	private final SwaggerSocketConnections connections;

	private final String prefix;

	private final @Nullable ClusterRoute cluster;

	private final SwaggerSocketRouting routing;

	private final Duration maxWaitTimeout;

	private final @Nullable GatewayWebSocketForwarding webSockets;

	/** The turns of the gateway's requests by selector. */
	private final AtomicInteger cursor = new AtomicInteger();

	/**
	 * Create a gateway to this application's own connections.
	 * @param connections the registry to find peers in
	 * @param prefix the path prefix, for example {@code /peers}
	 */
	public SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix) {
		this(connections, prefix, null, null, SwaggerSocketRouting.withoutWaiting(connections, null, null),
				Duration.ZERO);
	}

	/**
	 * Create a gateway that also reaches the connections other hubs of the cluster hold.
	 * @param connections the registry to find this hub's peers in
	 * @param prefix the path prefix, for example {@code /peers}
	 * @param directory the cluster's directory
	 * @param forwarder forwards calls to other hubs
	 */
	public SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix,
			ConnectionDirectory directory, ClusterForwarder forwarder) {
		this(connections, prefix, directory, forwarder,
				SwaggerSocketRouting.withoutWaiting(connections, directory, forwarder), Duration.ZERO);
	}

	/**
	 * Create a gateway whose requests by selector follow the given routing.
	 * @param connections the registry to find this hub's peers in
	 * @param prefix the path prefix, for example {@code /peers}
	 * @param directory the cluster's directory, or {@code null} outside a cluster
	 * @param forwarder forwards calls to other hubs, or {@code null} outside a cluster
	 * @param routing where requests by selector go, and their default options
	 * @param maxWaitTimeout the longest wait a request may ask for with
	 * {@value #WAIT_HEADER}
	 */
	public SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix,
			@Nullable ConnectionDirectory directory, @Nullable ClusterForwarder forwarder, SwaggerSocketRouting routing,
			Duration maxWaitTimeout) {
		this(connections, prefix, directory, forwarder, routing, maxWaitTimeout, null);
	}

	/**
	 * Create a gateway whose requests by selector follow the given routing, and that
	 * carries WebSocket upgrades to peers.
	 * @param connections the registry to find this hub's peers in
	 * @param prefix the path prefix, for example {@code /peers}
	 * @param directory the cluster's directory, or {@code null} outside a cluster
	 * @param forwarder forwards calls to other hubs, or {@code null} outside a cluster
	 * @param routing where requests by selector go, and their default options
	 * @param maxWaitTimeout the longest wait a request may ask for with
	 * {@value #WAIT_HEADER}
	 * @param webSockets the WebSocket clients over this hub's connections, or
	 * {@code null} for a gateway that does not carry WebSocket upgrades
	 */
	public SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix,
			@Nullable ConnectionDirectory directory, @Nullable ClusterForwarder forwarder, SwaggerSocketRouting routing,
			Duration maxWaitTimeout, @Nullable SwaggerSocketWebSockets webSockets) {
		this.connections = connections;
		this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
		this.cluster = (directory != null && forwarder != null) ? new ClusterRoute(connections, directory, forwarder)
				: null;
		this.routing = routing;
		this.maxWaitTimeout = maxWaitTimeout;
		this.webSockets = (webSockets != null)
				? new GatewayWebSocketForwarding(webSockets, (this.cluster != null) ? directory : null, routing) : null;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		PeerForwarding.Target target = PeerForwarding.Target.of(request, this.prefix);
		String id = target.id();
		if (id.isEmpty()) {
			return notFound(exchange, id);
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(request.getHeaders());
		headers.remove(HttpHeaders.HOST);
		// only hubs speak for hubs
		ClusterForwarder.removeClusterHeaders(headers);
		headers.set("X-Forwarded-Prefix", this.prefix + "/" + id);
		GatewayWebSocketForwarding webSockets = GatewayWebSocketForwarding.isUpgrade(request) ? this.webSockets : null;
		if (PeerSelector.isSelector(id)) {
			return bySelector(exchange, id, target, headers, webSockets);
		}
		headers.remove(WAIT_HEADER);
		SwaggerSocketConnection connection = this.connections.find(id).orElse(null);
		if (connection != null && connection.isOpen()) {
			return (webSockets != null) ? webSockets.toConnection(exchange, connection, target, headers)
					: PeerForwarding.toConnection(exchange, connection, target, headers);
		}
		if (webSockets != null) {
			return webSockets.elsewhere(exchange, id);
		}
		return (this.cluster != null) ? this.cluster.forward(exchange, target, headers) : notFound(exchange, id);
	}

	private Mono<Void> bySelector(ServerWebExchange exchange, String segment, PeerForwarding.Target target,
			HttpHeaders headers, @Nullable GatewayWebSocketForwarding webSockets) {
		PeerSelector selector;
		RoutingOptions options;
		try {
			selector = PeerSelector.parse(segment);
			options = options(headers.getFirst(WAIT_HEADER));
		}
		catch (IllegalArgumentException ex) {
			return PeerForwarding.problem(exchange, HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
		}
		headers.remove(WAIT_HEADER);
		if (webSockets != null) {
			return webSockets.bySelector(exchange, selector, options, target, headers);
		}
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		HttpMethod method = request.getMethod();
		// a request body can be read once: a call is retried only if none was taken
		AtomicBoolean bodyTaken = new AtomicBoolean();
		Flux<DataBuffer> body = PeerForwarding.bodyReadOnce(request, bodyTaken);
		SelectorClientHttpConnector connector = new SelectorClientHttpConnector(selector, options, this.routing,
				this.cursor, () -> !bodyTaken.get());
		return connector.connect(method, URI.create(target.target()), PeerForwarding.writer(request, headers, body))
			.flatMap((answer) -> PeerForwarding.relay(answer, method, response))
			.onErrorResume((ex) -> response.isCommitted(), (ex) -> PeerForwarding.abort(response, segment, ex))
			.onErrorResume(SwaggerSocketNoMatchingPeerException.class,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND, String.valueOf(ex.getMessage())))
			.onErrorResume(SwaggerSocketTooManyWaitingException.class,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE,
							String.valueOf(ex.getMessage())))
			.onErrorResume(SwaggerSocketClusterUnavailableException.class,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE,
							"The cluster's directory is unavailable: selector '" + selector
									+ "' cannot be resolved from this hub"))
			.onErrorResume(SwaggerSocketHeadersTooLargeException.class,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
							"The request cannot be sent to a peer matching '" + selector + "': " + ex.getMessage()))
			.onErrorResume((ex) -> ex instanceof SwaggerSocketConnectionClosedException
					|| ex instanceof SwaggerSocketStreamResetException || ClusterForwarder.isConnectFailure(ex)
					|| ex instanceof IllegalStateException, (ex) -> {
						logger.debug("Gateway call to selector '" + selector + "' failed", ex);
						return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
								"The call to a peer matching '" + selector + "' failed: " + ex.getMessage());
					});
	}

	/**
	 * The routing options of one request: the defaults, with the wait it asks for.
	 */
	private RoutingOptions options(@Nullable String wait) {
		RoutingOptions defaults = this.routing.defaults();
		if (wait == null) {
			return defaults;
		}
		BigDecimal seconds;
		try {
			seconds = new BigDecimal(wait.trim());
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(WAIT_HEADER + " must be a number of seconds, not '" + wait + "'");
		}
		if (seconds.signum() < 0) {
			throw new IllegalArgumentException(WAIT_HEADER + " must not be negative, not '" + wait + "'");
		}
		BigDecimal most = BigDecimal.valueOf(this.maxWaitTimeout.toMillis()).movePointLeft(3);
		return defaults.withWaitTimeout((seconds.compareTo(most) >= 0) ? this.maxWaitTimeout
				: Duration.ofMillis(seconds.movePointRight(3).longValue()));
	}

	private static Mono<Void> notFound(ServerWebExchange exchange, String id) {
		return PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND, "No live connection with id '" + id + "'");
	}

}
