package io.swaggersocket.cluster;

import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketStreamRefusedException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * Sends a call for a connection that another hub holds to that hub's cluster endpoint
 * ({@code {cluster path}/{connectionId}{path}}), as one stream over this hub's
 * {@linkplain HubLinks link} to that hub, authenticated by the cluster's shared secret.
 * Bodies stream both ways under the link's flow control; cancelling the returned response
 * (or its body) resets that stream, which cancels the owning hub's call to the peer.
 *
 * <p>
 * Dialing a link to a hub times out after the connections' handshake timeout; there is no
 * deadline for the answer, as for the gateway: the caller's own timeout cancels the call
 * end to end. Calls to one hub beyond the link's concurrent-stream limit wait for a free
 * stream.
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

	private final HubLinks links;

	/**
	 * A request body of at least this many bytes, or of unknown length, is large: the
	 * call travels on the link on which this hub's bytes go unmasked (see
	 * {@link HubLinks}).
	 */
	public static final long LARGE_BODY = 64 * 1024;

	private final Function<LongFunction<Mono<SwaggerSocketConnection>>, ClientHttpConnector> connectors;

	private final String path;

	private final ClusterSecret secret;

	/**
	 * Create a forwarder.
	 * @param path the path of the cluster endpoint on every hub, for example
	 * {@code /swaggersocket-cluster}
	 * @param secret the cluster's shared secret
	 * @param links this hub's links to the others
	 * @param connectors the connector that sends a call as a stream over the link it is
	 * given once the call's request is written: the link for the length of the body the
	 * request sends ({@code -1} unknown, {@code 0} none)
	 */
	public ClusterForwarder(String path, ClusterSecret secret, HubLinks links,
			Function<LongFunction<Mono<SwaggerSocketConnection>>, ClientHttpConnector> connectors) {
		this.path = trimTrailingSlash(path);
		this.secret = secret;
		this.links = links;
		this.connectors = connectors;
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
		URI hubUrl = location.hubUrl();
		URI uri = URI.create(trimTrailingSlash(hubUrl.toString()) + this.path + "/" + location.connectionId() + target);
		ClientHttpConnector connector = this.connectors.apply(
				(bodyLength) -> this.links.link(location.hubId(), hubUrl, bodyLength < 0 || bodyLength >= LARGE_BODY));
		return connector.connect(method, uri, (request) -> {
			// before the callback's own commit actions, and after it has set its
			// headers
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
		return hasCause(ex, ConnectException.class);
	}

	/**
	 * Whether a forwarded call failed because the other hub refused this hub's link: it
	 * answered the link's upgrade with 401 or 403, the cluster's secrets differ.
	 * @param ex the failure
	 * @return {@code true} for a link the other hub refused
	 */
	public static boolean isRefusedByHub(Throwable ex) {
		return ex instanceof WebSocketClientHandshakeException refused
				&& (refused.response().status().code() == 401 || refused.response().status().code() == 403);
	}

	/**
	 * Whether a forwarded call was refused by the link before the other hub processed any
	 * of it: the link was going away (GOAWAY) or closed before the call's stream was
	 * sent. The location may still be right; the call may go again on a fresh link.
	 * @param ex the failure
	 * @return {@code true} for a call the other hub never processed
	 */
	public static boolean isRefusedByLink(Throwable ex) {
		return hasCause(ex, SwaggerSocketStreamRefusedException.class);
	}

	/**
	 * Drop every cluster header of the given headers.
	 * @param headers headers from outside the cluster
	 */
	public static void removeClusterHeaders(HttpHeaders headers) {
		// runs twice on every forwarded call: forEach walks the fields as they are,
		// where headerNames() would copy every name into a new case-insensitive set
		List<String> names = new ArrayList<>(0);
		headers.forEach((name, values) -> {
			if (name.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length())) {
				names.add(name);
			}
		});
		names.forEach(headers::remove);
	}

	private void clusterHeaders(HttpHeaders headers, @Nullable String host) {
		String prefix = headers.getFirst("X-Forwarded-Prefix");
		String requested = headers.getFirst(HttpHeaders.HOST);
		String peerHost = (requested != null) ? requested : host;
		removeClusterHeaders(headers);
		// the link's request sets the owning hub's own
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

	private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

}
