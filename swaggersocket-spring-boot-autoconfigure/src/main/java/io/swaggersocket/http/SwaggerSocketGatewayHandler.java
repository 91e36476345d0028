package io.swaggersocket.http;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
 */
public final class SwaggerSocketGatewayHandler implements WebHandler {

	private final SwaggerSocketConnections connections;

	private final String prefix;

	private final @Nullable ClusterRoute cluster;

	/**
	 * Create a gateway to this application's own connections.
	 * @param connections the registry to find peers in
	 * @param prefix the path prefix, for example {@code /peers}
	 */
	public SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix) {
		this(connections, prefix, null);
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
		this(connections, prefix, new ClusterRoute(connections, directory, forwarder));
	}

	private SwaggerSocketGatewayHandler(SwaggerSocketConnections connections, String prefix,
			@Nullable ClusterRoute cluster) {
		this.connections = connections;
		this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
		this.cluster = cluster;
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
		SwaggerSocketConnection connection = this.connections.find(id).orElse(null);
		if (connection != null && connection.isOpen()) {
			return PeerForwarding.toConnection(exchange, connection, target, headers);
		}
		return (this.cluster != null) ? this.cluster.forward(exchange, target, headers) : notFound(exchange, id);
	}

	private static Mono<Void> notFound(ServerWebExchange exchange, String id) {
		return PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND, "No live connection with id '" + id + "'");
	}

}
