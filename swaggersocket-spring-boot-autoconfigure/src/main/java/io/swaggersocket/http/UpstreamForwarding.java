package io.swaggersocket.http;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.swaggersocket.websocket.StreamWebSockets;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebHandler;

/**
 * Forwards a request to a route's upstream as a reverse proxy: end-to-end headers only
 * (RFC 9110 section 7.6.1), {@code X-Forwarded-*} added, bodies streamed both ways with
 * the caller's demand, and the upstream call cancelled when the caller goes away. An
 * upstream that cannot be reached gets the caller a 502, one that sends no response head
 * within the route's response timeout a 504, both as RFC 9457 problem details. A
 * WebSocket opened over the stream goes to the upstream as a WebSocket, with the same
 * path, query and header fields ({@link UpstreamWebSocketForwarding}).
 */
final class UpstreamForwarding implements WebHandler {

	private static final Log logger = LogFactory.getLog(UpstreamForwarding.class);

	private final SwaggerSocketRoute route;

	private final int strippedSegments;

	private final ClientHttpConnector connector;

	private final UpstreamWebSocketForwarding webSockets;

	private final String base;

	UpstreamForwarding(SwaggerSocketRoute route, int literalSegments, HttpClient client, int maxMessageSize) {
		this.route = route;
		this.strippedSegments = route.stripPrefix() ? literalSegments : 0;
		this.connector = new ReactorClientHttpConnector(client);
		this.webSockets = new UpstreamWebSocketForwarding(route, client, maxMessageSize);
		String uri = route.uri().toString();
		this.base = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		HttpMethod method = request.getMethod();
		PathContainer path = PathContainer.parsePath(request.getURI().getRawPath());
		int split = Math.min(path.elements().size(), 2 * this.strippedSegments);
		String prefix = path.subPath(0, split).value();
		String rest = path.subPath(split).value();
		String query = request.getURI().getRawQuery();
		URI upstream = URI.create(this.base + (rest.isEmpty() ? "/" : rest) + ((query != null) ? "?" + query : ""));
		HttpHeaders headers = upstreamHeaders(request, prefix);
		if (StreamWebSockets.isWebSocketStream(exchange)) {
			return this.webSockets.forward(exchange, upstream, headers);
		}
		ServerHttpResponse response = exchange.getResponse();
		Sinks.Empty<Void> sent = Sinks.empty();
		// the time to the response head counts from the request's end: an upload may
		// take longer than any timeout
		Mono<Long> tooLate = sent.asMono().then(Mono.delay(this.route.responseTimeout()));
		return this.connector
			.connect(method, upstream,
					writer(headers, request.getBody())
						.andThen((written) -> written.doOnSuccess((done) -> sent.tryEmitEmpty())))
			.timeout(tooLate)
			.flatMap((answer) -> PeerForwarding.relay(answer, method, response))
			.onErrorResume((ex) -> !response.isCommitted(), (ex) -> {
				logger.debug("Route " + this.route.path() + " to " + upstream + " failed", ex);
				if (ex instanceof TimeoutException) {
					return PeerForwarding.problem(exchange, HttpStatus.GATEWAY_TIMEOUT,
							"The upstream of route " + this.route.path() + " sent no response head within "
									+ this.route.responseTimeout().toMillis() + " ms");
				}
				return PeerForwarding.problem(exchange, HttpStatus.BAD_GATEWAY,
						"The upstream of route " + this.route.path() + " cannot be reached: " + ex.getMessage());
			});
	}

	private HttpHeaders upstreamHeaders(ServerHttpRequest request, String prefix) {
		HttpHeaders headers = HeaderMapping.withoutHopByHop(request.getHeaders());
		// met (or not) on the way here; the upstream must not wait for a 100 nobody reads
		headers.remove(HttpHeaders.EXPECT);
		String host = request.getHeaders().getFirst(HttpHeaders.HOST);
		if (!this.route.preserveHost()) {
			headers.remove(HttpHeaders.HOST);
		}
		InetSocketAddress remote = request.getRemoteAddress();
		if (remote != null) {
			String previous = headers.getFirst("X-Forwarded-For");
			// a dialed connection knows its hub by the name it dialed
			String address = (remote.getAddress() != null) ? remote.getAddress().getHostAddress()
					: remote.getHostString();
			headers.set("X-Forwarded-For", (previous != null) ? previous + ", " + address : address);
		}
		// an earlier proxy (the hub's gateway) saw the original request: what it says
		// stands
		if (!headers.containsHeader("X-Forwarded-Proto")) {
			headers.set("X-Forwarded-Proto", request.getURI().getScheme());
		}
		if (host != null && !headers.containsHeader("X-Forwarded-Host")) {
			headers.set("X-Forwarded-Host", host);
		}
		if (!prefix.isEmpty()) {
			String previous = headers.getFirst("X-Forwarded-Prefix");
			headers.set("X-Forwarded-Prefix", (previous != null) ? trimSlash(previous) + prefix : prefix);
		}
		return headers;
	}

	private static String trimSlash(String prefix) {
		return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
	}

	/**
	 * A request without a body (its stream ended with its headers) is sent without one,
	 * rather than as an empty chunked body: over the socket no {@code Content-Length} or
	 * {@code Transfer-Encoding} tells the two apart, only the body's end.
	 */
	private static Function<ClientHttpRequest, Mono<Void>> writer(HttpHeaders headers, Flux<DataBuffer> body) {
		return (upstream) -> {
			upstream.getHeaders().addAll(headers);
			return body
				.switchOnFirst((first, all) -> first.isOnComplete() ? upstream.setComplete() : upstream.writeWith(all))
				.then();
		};
	}

}
