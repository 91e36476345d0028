package io.swaggersocket.http;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ClusterSecret;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * The cluster endpoint, {@code {swaggersocket.cluster.path}/{connectionId}/**}, to which
 * other hubs forward calls for connections this hub holds. It serves only callers that
 * send the cluster's secret ({@link ClusterForwarder#SECRET_HEADER}): none is a 401, a
 * wrong one a 403, and nothing is forwarded or revealed. It forwards only to a connection
 * this hub holds, never on to another hub (it is no open proxy and cannot loop): for any
 * other id it answers 421 Misdirected Request, so that the calling hub looks the
 * connection up again. Its own refusals carry {@link ClusterForwarder#REFUSED_HEADER}.
 *
 * <p>
 * At the path itself, a WebSocket upgrade that carries the secret becomes a
 * {@linkplain io.swaggersocket.cluster.HubLinks link} from another hub, over which that
 * hub forwards its calls as streams to this same endpoint.
 *
 * <p>
 * The call then goes to the peer exactly as through this hub's gateway (404, 431, 502 and
 * aborted responses alike), without the cluster headers, with the {@code Host} and
 * {@code X-Forwarded-Prefix} that the calling hub asked for.
 */
public final class SwaggerSocketClusterHandler implements WebHandler {

	private static final Log logger = LogFactory.getLog(SwaggerSocketClusterHandler.class);

	private final SwaggerSocketConnections connections;

	private final String path;

	private final ClusterSecret secret;

	private final @Nullable WebHandler linkUpgrade;

	/**
	 * Create the endpoint for calls only, as served over a link.
	 * @param connections this hub's connections
	 * @param path the endpoint's path, for example {@code /swaggersocket-cluster}
	 * @param secret the cluster's shared secret
	 */
	public SwaggerSocketClusterHandler(SwaggerSocketConnections connections, String path, ClusterSecret secret) {
		this(connections, path, secret, null);
	}

	/**
	 * Create the endpoint.
	 * @param connections this hub's connections
	 * @param path the endpoint's path, for example {@code /swaggersocket-cluster}
	 * @param secret the cluster's shared secret
	 * @param linkUpgrade upgrades a request at the path itself to a link from another
	 * hub, once its secret is checked, or {@code null} to accept no links
	 */
	public SwaggerSocketClusterHandler(SwaggerSocketConnections connections, String path, ClusterSecret secret,
			@Nullable WebHandler linkUpgrade) {
		this.connections = connections;
		this.path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
		this.secret = secret;
		this.linkUpgrade = linkUpgrade;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		String sent = request.getHeaders().getFirst(ClusterForwarder.SECRET_HEADER);
		if (sent == null) {
			logger.debug("Cluster call without the cluster secret from " + request.getRemoteAddress() + " refused");
			exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "SwaggerSocket-Cluster");
			return refuse(exchange, HttpStatus.UNAUTHORIZED, "unauthenticated",
					"Calls to the cluster endpoint must carry the cluster's secret");
		}
		if (!this.secret.matches(sent)) {
			logger.warn("Cluster call with a wrong cluster secret from " + request.getRemoteAddress()
					+ " refused: is swaggersocket.cluster.secret the same on every hub?");
			return refuse(exchange, HttpStatus.FORBIDDEN, "forbidden", "The cluster's secret does not match");
		}
		PeerForwarding.Target target = PeerForwarding.Target.of(request, this.path);
		if (this.linkUpgrade != null && target.id().isEmpty()
				&& "websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
			return this.linkUpgrade.handle(exchange);
		}
		SwaggerSocketConnection connection = this.connections.find(target.id()).orElse(null);
		if (target.id().isEmpty() || connection == null || !connection.isOpen()) {
			logger.debug("Cluster call for connection '" + target.id() + "', which this hub does not hold");
			return refuse(exchange, HttpStatus.MISDIRECTED_REQUEST, "misdirected",
					"This hub holds no live connection with id '" + target.id() + "'");
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(request.getHeaders());
		String host = headers.getFirst(ClusterForwarder.HOST_HEADER);
		String prefix = headers.getFirst(ClusterForwarder.PREFIX_HEADER);
		ClusterForwarder.removeClusterHeaders(headers);
		// the peer sees what it would have seen through the calling hub's gateway or
		// WebClient, not this hop
		headers.remove(HttpHeaders.HOST);
		headers.remove("X-Forwarded-Prefix");
		if (host != null) {
			headers.set(HttpHeaders.HOST, host);
		}
		if (prefix != null) {
			headers.set("X-Forwarded-Prefix", prefix);
		}
		// the answer is the peer's alone: what this hub's own filters put on the response
		// comes from the calling hub's filters again, and would come twice. Only the
		// end-to-end fields: the server's own framing (Transfer-Encoding) must stay, or
		// closing the connection would end the body as if complete
		HttpHeaders responseHeaders = exchange.getResponse().getHeaders();
		HeaderMapping.withoutHopByHop(responseHeaders).headerNames().forEach(responseHeaders::remove);
		return PeerForwarding.toConnection(exchange, connection, target, headers);
	}

	private static Mono<Void> refuse(ServerWebExchange exchange, HttpStatus status, String refusal, String detail) {
		exchange.getResponse().getHeaders().set(ClusterForwarder.REFUSED_HEADER, refusal);
		return PeerForwarding.problem(exchange, status, detail);
	}

}
