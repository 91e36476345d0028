package io.swaggersocket.http;

import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketObserver;
import io.swaggersocket.connection.SwaggerSocketStreamRefusedException;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * A connector that sends each request to one of the live connections matching a selector,
 * picked per request, and retries a call that is safe to retry on another matching
 * connection (or on the same peer once it has connected again):
 * <ul>
 * <li>a call the peer refused (REFUSED_STREAM, or beyond its GOAWAY), or that could not
 * be sent at all, whatever its method;</li>
 * <li>a call whose connection was lost before any of the response arrived, only if it is
 * idempotent: GET, HEAD, OPTIONS, PUT, DELETE (and TRACE), or carrying an
 * {@code Idempotency-Key} header. A call that may have run is never replayed
 * otherwise.</li>
 * </ul>
 * Once the response's head has arrived, nothing is retried. The request is written again
 * for each attempt: its body must be one that can be subscribed to again (as
 * {@code bodyValue} and most publishers are).
 */
final class SelectorClientHttpConnector implements ClientHttpConnector {

	static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private static final Log logger = LogFactory.getLog(SelectorClientHttpConnector.class);

	private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

	private final PeerSelector selector;

	private final RoutingOptions options;

	private final SwaggerSocketRouting routing;

	private final AtomicInteger cursor;

	private final BooleanSupplier replayable;

	/**
	 * Create a connector.
	 * @param selector which connections may take the calls
	 * @param options how to pick, retry and wait
	 * @param routing where the connections are
	 * @param cursor the turn counter shared by the calls of one client
	 * @param replayable whether the request can be written again (a gateway request's
	 * body can be read once)
	 */
	SelectorClientHttpConnector(PeerSelector selector, RoutingOptions options, SwaggerSocketRouting routing,
			AtomicInteger cursor, BooleanSupplier replayable) {
		this.selector = selector;
		this.options = options;
		this.routing = routing;
		this.cursor = cursor;
		this.replayable = replayable;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return Mono.defer(() -> {
			Call call = new Call(method, uri);
			return Mono.defer(() -> attempt(call, requestCallback))
				.retryWhen(Retry.max(this.options.maxAttempts() - 1L)
					.filter((ex) -> call.mayRetry(ex) && this.replayable.getAsBoolean())
					.doBeforeRetry((signal) -> {
						if (logger.isDebugEnabled()) {
							logger.debug("Retrying " + method + " " + uri.getRawPath() + " for selector '"
									+ this.selector + "' (attempt " + (signal.totalRetries() + 2) + " of "
									+ this.options.maxAttempts() + ") after connection " + call.lastConnection
									+ " failed it: " + signal.failure());
						}
					})
					.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
		});
	}

	private Mono<ClientHttpResponse> attempt(Call call,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		int attempt = ++call.attempts;
		Mono<SwaggerSocketRouting.Candidate> lookUp = this.routing.choose(this.selector, call.tried,
				this.options.loadBalancing(), this.cursor);
		return lookUp.switchIfEmpty(Mono.defer(() -> absent(call, lookUp))).flatMap((candidate) -> {
			call.tried.add(candidate.id());
			call.lastConnection = candidate.id();
			return this.routing.call(candidate, call.method, call.uri, (request) -> requestCallback.apply(request)
				.doOnTerminate(() -> call.idempotencyKey |= request.getHeaders().containsHeader(IDEMPOTENCY_KEY)));
		})
			.doOnError((ex) -> call.lastFailure = ex)
			.contextWrite((context) -> context.put(SwaggerSocketObserver.ATTEMPT_CONTEXT_KEY, attempt));
	}

	/**
	 * No connection matches (any more): wait for one if this client waits; otherwise a
	 * retry ends with the failure that made it, a first attempt with "no match".
	 */
	private Mono<SwaggerSocketRouting.Candidate> absent(Call call, Mono<SwaggerSocketRouting.Candidate> lookUp) {
		if (!this.options.waitTimeout().isZero()) {
			return this.routing.await(lookUp, this.options, (within) -> {
				call.finished = true;
				return noMatch("No live connection matched selector '" + this.selector + "' " + within);
			});
		}
		call.finished = true;
		Throwable previous = call.lastFailure;
		return Mono.error(
				(previous != null) ? previous : noMatch("No live connection matches selector '" + this.selector + "'"));
	}

	private SwaggerSocketNoMatchingPeerException noMatch(String message) {
		return new SwaggerSocketNoMatchingPeerException(this.selector, message);
	}

	/** One call across its attempts. */
	private static final class Call {

		final HttpMethod method;

		final URI uri;

		final Set<String> tried = new HashSet<>();

		int attempts;

		boolean idempotencyKey;

		boolean finished;

		@Nullable Throwable lastFailure;

		@Nullable String lastConnection;

		Call(HttpMethod method, URI uri) {
			this.method = method;
			this.uri = uri;
		}

		boolean mayRetry(Throwable ex) {
			if (this.finished) {
				return false;
			}
			if (ex instanceof SwaggerSocketStreamRefusedException || ClusterForwarder.isConnectFailure(ex)) {
				// the peer processed none of it
				return true;
			}
			// lost before any of the response: the peer may have run it
			return ex instanceof SwaggerSocketConnectionClosedException
					&& (IDEMPOTENT.contains(this.method) || this.idempotencyKey);
		}

	}

}
