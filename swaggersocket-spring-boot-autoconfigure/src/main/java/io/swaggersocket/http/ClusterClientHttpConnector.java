package io.swaggersocket.http;

import java.net.URI;
import java.util.function.Function;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * A connector for one connection id anywhere in the cluster: at each request, a
 * connection this hub holds is called over its socket, as by
 * {@link SwaggerSocketClientHttpConnector}; one that another hub holds is looked up in
 * the directory and the request forwarded to that hub. A hub that no longer holds it
 * (421) makes the connector look once more, bypassing any location the directory kept,
 * and follow it once if it moved (the request written again); so does an owning hub that
 * cannot be connected to.
 */
final class ClusterClientHttpConnector implements ClientHttpConnector {

	private static final Log logger = LogFactory.getLog(ClusterClientHttpConnector.class);

	private final String connectionId;

	private final SwaggerSocketConnections connections;

	private final ConnectionDirectory directory;

	private final ClusterForwarder forwarder;

	ClusterClientHttpConnector(String connectionId, SwaggerSocketConnections connections, ConnectionDirectory directory,
			ClusterForwarder forwarder) {
		this.connectionId = connectionId;
		this.connections = connections;
		this.directory = directory;
		this.forwarder = forwarder;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return Mono.defer(() -> {
			SwaggerSocketConnection local = this.connections.find(this.connectionId).orElse(null);
			if (local != null && local.isOpen()) {
				return new SwaggerSocketClientHttpConnector(local).connect(method, uri, requestCallback);
			}
			return this.directory.locateForCall(this.connectionId)
				.switchIfEmpty(Mono.error(this::notFound))
				.flatMap((location) -> connect(location, method, uri, requestCallback, true));
		});
	}

	private Mono<ClientHttpResponse> connect(ConnectionLocation location, HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback, boolean mayRetry) {
		if (location.local()) {
			SwaggerSocketConnection local = this.connections.find(this.connectionId).orElse(null);
			return (local != null) ? new SwaggerSocketClientHttpConnector(local).connect(method, uri, requestCallback)
					: Mono.error(notFound());
		}
		return this.forwarder
			.forward(location, method, HeaderMapping.originForm(uri), uri.getRawAuthority(), requestCallback)
			.flatMap((answer) -> {
				String refusal = ClusterForwarder.refusal(answer);
				if (refusal == null) {
					return Mono.just(answer);
				}
				Mono<ClientHttpResponse> released = answer.getBody()
					.doOnNext(DataBufferUtils::release)
					.onErrorComplete()
					.then(Mono.empty());
				if (answer.getStatusCode().value() != HttpStatus.MISDIRECTED_REQUEST.value()) {
					return released.then(Mono.error(new IllegalStateException(
							"Hub " + location.hubId() + " at " + location.hubUrl() + " refused a call from this hub ("
									+ refusal + "): swaggersocket.cluster.secret must be the same on every hub")));
				}
				logger.debug("Hub " + location.hubId() + " does not hold connection '" + this.connectionId + "'");
				if (!mayRetry) {
					return released.then(Mono.error(notFound()));
				}
				return released.then(this.directory.locate(this.connectionId)
					.filter((fresh) -> !fresh.hubId().equals(location.hubId()))
					.switchIfEmpty(Mono.error(this::notFound))
					.flatMap((fresh) -> connect(fresh, method, uri, requestCallback, false)));
			})
			.onErrorMap(ClusterForwarder::isRefusedByHub,
					(ex) -> new IllegalStateException("Hub " + location.hubId() + " at " + location.hubUrl()
							+ " refused this hub's link: swaggersocket.cluster.secret must be the same on every hub",
							ex))
			// nothing was sent: the location may have been kept from before its hub went
			// away, and a fresh one may name the hub the connection moved to; a call the
			// link refused (it was going away) may go again to the same hub
			.onErrorResume(
					(ex) -> mayRetry && (ClusterForwarder.isConnectFailure(ex) || ClusterForwarder.isRefusedByLink(ex)),
					(ex) -> this.directory.locate(this.connectionId)
						.filter((fresh) -> !fresh.hubId().equals(location.hubId())
								|| !fresh.hubUrl().equals(location.hubUrl()) || ClusterForwarder.isRefusedByLink(ex))
						.switchIfEmpty(Mono.error(ex))
						.flatMap((fresh) -> connect(fresh, method, uri, requestCallback, false)));
	}

	private SwaggerSocketConnectionClosedException notFound() {
		return new SwaggerSocketConnectionClosedException("No live connection " + this.connectionId);
	}

}
