package io.swaggersocket.cluster;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;

/**
 * Sends a call for a connection that another hub holds to that hub's cluster endpoint
 * ({@code {hubUrl}{cluster path}/{connectionId}{path}}), as one plain HTTP exchange over
 * a pooled Reactor Netty client, authenticated by the cluster's shared secret. Bodies
 * stream both ways under TCP's and Reactor Netty's backpressure; cancelling the returned
 * response (or its body) closes that exchange's connection, which cancels the owning
 * hub's call to the peer.
 *
 * <p>
 * Connecting to a hub times out after {@link #CONNECT_TIMEOUT}; there is no deadline for
 * the answer, as for the gateway: the caller's own timeout cancels the call end to end.
 * Each other hub is reached over at most {@link #MAX_CONNECTIONS_PER_HUB} connections at
 * once; a call that finds them all busy waits for one up to {@link #CONNECT_TIMEOUT}.
 */
public final class ClusterForwarder {

	/** The request header that carries the cluster's shared secret. */
	public static final String SECRET_HEADER = "X-SwaggerSocket-Cluster-Secret";

	/** The request header that carries the Host the peer is to see, if any. */
	public static final String HOST_HEADER = "X-SwaggerSocket-Cluster-Host";

	/**
	 * The request header that carries the {@code X-Forwarded-Prefix} the peer is to see:
	 * apart from the standard header, which the owning hub's own forwarded-header
	 * processing may consume.
	 */
	public static final String PREFIX_HEADER = "X-SwaggerSocket-Cluster-Prefix";

	/**
	 * The request header that lists the fields the peer is not to see although the
	 * request arrives with them: those the HTTP client adds on its own
	 * ({@code User-Agent}, {@code Accept}) when the call had none.
	 */
	public static final String UNSET_HEADER = "X-SwaggerSocket-Cluster-Unset";

	/**
	 * The response header with which the owning hub marks an answer of its own rather
	 * than of the peer: {@code misdirected} (421, it does not hold the connection),
	 * {@code unauthenticated} (401) or {@code forbidden} (403).
	 */
	public static final String REFUSED_HEADER = "X-SwaggerSocket-Cluster-Refused";

	/**
	 * The prefix of the headers above, in lower case: such headers from anyone but a hub
	 * are dropped.
	 */
	public static final String HEADER_PREFIX = "x-swaggersocket-cluster-";

	/**
	 * How long connecting to another hub may take, and waiting for a pooled connection.
	 */
	public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	/** The most connections (so, concurrent calls) to each other hub. */
	public static final int MAX_CONNECTIONS_PER_HUB = 1024;

	/** The fields Reactor Netty's client adds to a request that has none. */
	private static final List<String> CLIENT_DEFAULTS = List.of("user-agent", "accept");

	private final ClientHttpConnector connector;

	private final ConnectionProvider connectionProvider;

	private final String path;

	private final ClusterSecret secret;

	/**
	 * Create a forwarder.
	 * @param path the path of the cluster endpoint on every hub, for example
	 * {@code /swaggersocket-cluster}
	 * @param secret the cluster's shared secret
	 * @param loopResources the event loops to run on (the application's), or {@code null}
	 * for Reactor Netty's global ones
	 */
	public ClusterForwarder(String path, ClusterSecret secret, @Nullable LoopResources loopResources) {
		this.path = trimTrailingSlash(path);
		this.secret = secret;
		this.connectionProvider = ConnectionProvider.builder("swaggersocket-cluster")
			.maxConnections(MAX_CONNECTIONS_PER_HUB)
			.pendingAcquireTimeout(CONNECT_TIMEOUT)
			// closed by this side well before the other hub's idle timeout (30 s in
			// the README's advice) can close it under a request, whose body cannot
			// be sent twice
			.maxIdleTime(Duration.ofSeconds(10))
			.build();
		HttpClient client = HttpClient.create(this.connectionProvider)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis());
		this.connector = new ReactorClientHttpConnector((loopResources != null) ? client.runOn(loopResources) : client);
	}

	/**
	 * Forward a call to the hub that holds its connection.
	 * @param location where the connection is held
	 * @param method the request method
	 * @param target the raw path and query the peer is to see, starting with {@code /}
	 * @param host the Host header the peer is to see unless the request sets one, or
	 * {@code null} for none
	 * @param requestCallback writes the request's end-to-end headers and body; its
	 * {@code Host} and {@code X-Forwarded-Prefix} travel in cluster headers, any cluster
	 * headers of its own are dropped
	 * @return the owning hub's answer; errors if it cannot be reached
	 */
	public Mono<ClientHttpResponse> forward(ConnectionLocation location, HttpMethod method, String target,
			@Nullable String host, Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		URI uri = URI.create(
				trimTrailingSlash(location.hubUrl().toString()) + this.path + "/" + location.connectionId() + target);
		return this.connector.connect(method, uri, (request) -> {
			// before the callback's own commit actions, and after it has set its headers
			request.beforeCommit(() -> Mono.fromRunnable(() -> clusterHeaders(request.getHeaders(), host)));
			return requestCallback.apply(request);
		});
	}

	/**
	 * Whether a hub's answer is its own refusal rather than the peer's.
	 * @param response the answer
	 * @return the refusal ({@code misdirected}, {@code unauthenticated},
	 * {@code forbidden}), or {@code null} if the answer is the peer's
	 */
	public static @Nullable String refusal(ClientHttpResponse response) {
		return response.getHeaders().getFirst(REFUSED_HEADER);
	}

	/**
	 * Whether a forwarded call failed because the other hub could not be connected to, so
	 * that nothing of the request was sent.
	 * @param ex the failure
	 * @return {@code true} for a refused or timed-out connect
	 */
	public static boolean isConnectFailure(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof ConnectException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Drop every cluster header of the given headers.
	 * @param headers headers from outside the cluster
	 */
	public static void removeClusterHeaders(HttpHeaders headers) {
		List<String> names = new ArrayList<>();
		for (String name : headers.headerNames()) {
			if (name.toLowerCase(Locale.ROOT).startsWith(HEADER_PREFIX)) {
				names.add(name);
			}
		}
		names.forEach(headers::remove);
	}

	/**
	 * Release the pooled connections.
	 */
	public void dispose() {
		this.connectionProvider.dispose();
	}

	private void clusterHeaders(HttpHeaders headers, @Nullable String host) {
		String prefix = headers.getFirst("X-Forwarded-Prefix");
		String requested = headers.getFirst(HttpHeaders.HOST);
		String peerHost = (requested != null) ? requested : host;
		List<String> unset = new ArrayList<>();
		for (String added : CLIENT_DEFAULTS) {
			if (!headers.containsHeader(added)) {
				unset.add(added);
			}
		}
		removeClusterHeaders(headers);
		if (!unset.isEmpty()) {
			headers.set(UNSET_HEADER, String.join(", ", unset));
		}
		// Reactor Netty sets the owning hub's own
		headers.remove(HttpHeaders.HOST);
		headers.remove("X-Forwarded-Prefix");
		headers.set(SECRET_HEADER, this.secret.value());
		if (peerHost != null) {
			headers.set(HOST_HEADER, peerHost);
		}
		if (prefix != null) {
			headers.set(PREFIX_HEADER, prefix);
		}
	}

	private static String trimTrailingSlash(String value) {
		return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
	}

}
