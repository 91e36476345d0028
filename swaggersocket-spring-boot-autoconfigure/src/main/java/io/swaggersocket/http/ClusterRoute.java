package io.swaggersocket.http;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * The gateway's way to a connection this hub does not hold: look it up in the cluster's
 * directory and forward the call to the hub that holds it. A hub that answers that it no
 * longer holds it (421) makes the route look it up once more, bypassing any location the
 * directory kept, and follow it once if it moved; so does an owning hub that cannot be
 * connected to (nothing was sent yet). The directory unavailable is a 503, the owning hub
 * unreachable (also after the fresh look-up) a 502.
 */
final class ClusterRoute {

	private static final Log logger = LogFactory.getLog(ClusterRoute.class);

	private final SwaggerSocketConnections connections;

	private final ConnectionDirectory directory;

	private final ClusterForwarder forwarder;

	ClusterRoute(SwaggerSocketConnections connections, ConnectionDirectory directory, ClusterForwarder forwarder) {
		this.connections = connections;
		this.directory = directory;
		this.forwarder = forwarder;
	}

	/**
	 * Forward a gateway request for a connection that this hub does not hold.
	 * @param exchange the gateway exchange
	 * @param target the connection and where on its peer
	 * @param headers the request headers as the peer is to see them
	 */
	Mono<Void> forward(ServerWebExchange exchange, PeerForwarding.Target target, HttpHeaders headers) {
		ServerHttpResponse response = exchange.getResponse();
		// Mono<Void> ends empty: the look-up's own emptiness is told apart by Optional
		return this.directory.locateForCall(target.id())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((location) -> location.isPresent() ? forwardTo(exchange, location.get(), target, headers, true)
					: notFound(exchange, target))
			.onErrorResume((ex) -> ex instanceof SwaggerSocketClusterUnavailableException && !response.isCommitted(),
					(ex) -> {
						logger.debug("Connection '" + target.id() + "' cannot be looked up: " + ex.getMessage());
						return PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE,
								"The cluster's directory is unavailable: connection '" + target.id()
										+ "' cannot be reached from this hub");
					});
	}

	private Mono<Void> forwardTo(ServerWebExchange exchange, ConnectionLocation location, PeerForwarding.Target target,
			HttpHeaders headers, boolean mayRetry) {
		if (location.local()) {
			// the directory is behind this hub's own registry, which said no a moment ago
			SwaggerSocketConnection connection = this.connections.find(target.id()).orElse(null);
			return (connection != null && connection.isOpen())
					? PeerForwarding.toConnection(exchange, connection, target, headers) : notFound(exchange, target);
		}
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		HttpMethod method = request.getMethod();
		// a request body can be read once: a refused call goes again only if none was
		// taken
		AtomicBoolean bodyTaken = new AtomicBoolean();
		Flux<DataBuffer> body = PeerForwarding.bodyReadOnce(request, bodyTaken);
		return this.forwarder
			.forward(location, method, target.target(), null, PeerForwarding.writer(request, headers, body))
			.flatMap((answer) -> {
				String refusal = ClusterForwarder.refusal(answer);
				if (refusal == null) {
					return PeerForwarding.relay(answer, method, response);
				}
				// a refusal's small problem body, read to the end
				answer.getBody().doOnNext(DataBufferUtils::release).onErrorComplete().subscribe();
				if (answer.getStatusCode().value() == HttpStatus.MISDIRECTED_REQUEST.value()) {
					return relocate(exchange, location, target, headers, mayRetry);
				}
				logger.warn("Hub " + location.hubId() + " at " + location.hubUrl() + " refused a call from this hub ("
						+ refusal + "): swaggersocket.cluster.secret must be the same on every hub");
				return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
						"The hub that holds connection '" + target.id() + "' refused the call");
			})
			.onErrorResume((ex) -> response.isCommitted(), (ex) -> PeerForwarding.abort(response, target.id(), ex))
			// nothing was sent: the location may have been kept from before its hub
			// went away, and a fresh one may name the hub the connection moved to; a call
			// the link refused (it was going away) may go again to the same hub
			.onErrorResume(
					(ex) -> mayRetry && (ClusterForwarder.isConnectFailure(ex)
							|| (ClusterForwarder.isRefusedByLink(ex) && !bodyTaken.get())),
					(ex) -> this.directory.locate(target.id())
						.filter((fresh) -> !sameHub(fresh, location) || ClusterForwarder.isRefusedByLink(ex))
						.map(Optional::of)
						.defaultIfEmpty(Optional.empty())
						.flatMap((fresh) -> fresh.isPresent() ? forwardTo(exchange, fresh.get(), target, headers, false)
								: Mono.error(ex)))
			// logged at WARN by the links
			.onErrorResume(ClusterForwarder::isRefusedByHub,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
							"The hub that holds connection '" + target.id() + "' refused the call"))
			.onErrorResume(ClusterForwarder::isRefusedByLink,
					(ex) -> PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE,
							"The hub that holds connection '" + target.id()
									+ "' refused the call unprocessed; the request reached no peer and may be retried"))
			.onErrorResume((ex) -> !(ex instanceof SwaggerSocketClusterUnavailableException), (ex) -> {
				logger.debug("Call to connection '" + target.id() + "' through hub " + location.hubId() + " at "
						+ location.hubUrl() + " failed", ex);
				return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY, "The call to connection '" + target.id()
						+ "' through hub '" + location.hubId() + "' failed: " + ex.getMessage());
			});
	}

	/**
	 * The hub the directory named does not hold the connection (any more): the entry was
	 * stale. Look once more and follow a connection that moved, once, if the request has
	 * no body (a body is read once, and the stale hop may have taken some of it).
	 */
	private Mono<Void> relocate(ServerWebExchange exchange, ConnectionLocation stale, PeerForwarding.Target target,
			HttpHeaders headers, boolean mayRetry) {
		logger.debug("Hub " + stale.hubId() + " does not hold connection '" + target.id() + "'");
		if (!mayRetry) {
			return notFound(exchange, target);
		}
		return this.directory.locate(target.id())
			.filter((fresh) -> !fresh.hubId().equals(stale.hubId()))
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((fresh) -> {
				if (fresh.isEmpty()) {
					return notFound(exchange, target);
				}
				return PeerForwarding.isBodiless(exchange.getRequest())
						? forwardTo(exchange, fresh.get(), target, headers, false)
						: PeerForwarding.problem(exchange, HttpStatus.SERVICE_UNAVAILABLE, "Connection '" + target.id()
								+ "' moved while its request was sent; the request reached no peer and may be retried");
			});
	}

	private static boolean sameHub(ConnectionLocation one, ConnectionLocation other) {
		return one.hubId().equals(other.hubId()) && one.hubUrl().equals(other.hubUrl());
	}

	private static Mono<Void> notFound(ServerWebExchange exchange, PeerForwarding.Target target) {
		return PeerForwarding.problem(exchange, HttpStatus.NOT_FOUND,
				"No live connection with id '" + target.id() + "'");
	}

}
