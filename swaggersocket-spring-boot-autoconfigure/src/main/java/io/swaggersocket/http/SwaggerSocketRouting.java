package io.swaggersocket.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketStreamRefusedException;
import io.swaggersocket.routing.LoadBalancing;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.PeerWaiters;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * Where calls by selector go: the live connections whose metadata matches, this hub's own
 * and, in a cluster, those other hubs hold; one of them picked per call; waiting for one
 * to connect. Shared by the selector-bound {@code WebClient}s and the gateway, so that
 * both follow the same rules.
 */
public final class SwaggerSocketRouting {

	private final SwaggerSocketConnections connections;

	private final @Nullable ConnectionDirectory directory;

	private final @Nullable ClusterForwarder forwarder;

	private final PeerWaiters waiters;

	private final RoutingOptions defaults;

	/** Calls in flight to connections other hubs hold, for least-active balancing. */
	private final Map<String, Integer> remoteCalls = new ConcurrentHashMap<>();

	/**
	 * Create the routing of one application.
	 * @param connections this application's connections
	 * @param directory the cluster's directory, or {@code null} outside a cluster
	 * @param forwarder forwards calls to other hubs, or {@code null} outside a cluster
	 * @param waiters the calls that wait for a connection
	 * @param defaults the options of clients and gateway requests that set none
	 */
	public SwaggerSocketRouting(SwaggerSocketConnections connections, @Nullable ConnectionDirectory directory,
			@Nullable ClusterForwarder forwarder, PeerWaiters waiters, RoutingOptions defaults) {
		this.connections = connections;
		this.directory = (forwarder != null) ? directory : null;
		this.forwarder = forwarder;
		this.waiters = waiters;
		this.defaults = defaults;
	}

	/**
	 * The routing of a gateway or client factory built without one: the built-in
	 * defaults, and no waiting (nothing tells its waiters that a connection arrived).
	 */
	static SwaggerSocketRouting withoutWaiting(SwaggerSocketConnections connections,
			@Nullable ConnectionDirectory directory, @Nullable ClusterForwarder forwarder) {
		return new SwaggerSocketRouting(connections, directory, forwarder, new PeerWaiters(0, null),
				RoutingOptions.DEFAULTS);
	}

	/**
	 * Return the options of clients and gateway requests that set none
	 * ({@code swaggersocket.routing.*}).
	 * @return the default options
	 */
	public RoutingOptions defaults() {
		return this.defaults;
	}

	PeerWaiters waiters() {
		return this.waiters;
	}

	/**
	 * A connection a call may go to: one of this hub's, or one another hub holds.
	 *
	 * @param id the connection id
	 * @param local this hub's connection, or {@code null} if another hub holds it
	 */
	record Candidate(String id, @Nullable SwaggerSocketConnection local) {

		int load(Map<String, Integer> remoteCalls) {
			return (this.local != null) ? this.local.activeStreams() : remoteCalls.getOrDefault(this.id, 0);
		}

	}

	/**
	 * Pick one connection that matches and takes new streams now, if there is one.
	 * @param selector the selector
	 * @param excluded the connections not to pick (tried already)
	 * @param loadBalancing how to pick
	 * @param cursor the caller's turn counter
	 * @return the connection, or empty if none matches
	 */
	Mono<Candidate> choose(PeerSelector selector, Set<String> excluded, LoadBalancing loadBalancing,
			AtomicInteger cursor) {
		// deferred: a waiting call subscribes again at each wake-up
		return Mono.defer(() -> candidates(selector, excluded, false))
			.mapNotNull((candidates) -> pick(candidates, loadBalancing, cursor));
	}

	/**
	 * Pick one of this application's own connections that matches the selector and takes
	 * new streams, waiting for one as the options say; connections another hub of a
	 * cluster holds are not considered.
	 * @param selector the selector
	 * @param excluded the ids of connections not to pick (tried already)
	 * @param options how to pick and how long to wait
	 * @param cursor the caller's turn counter
	 * @return the connection; errors with {@link SwaggerSocketNoMatchingPeerException}
	 * when none matches (within the wait)
	 */
	public Mono<SwaggerSocketConnection> chooseLocal(PeerSelector selector, Set<String> excluded,
			RoutingOptions options, AtomicInteger cursor) {
		Mono<Candidate> lookUp = Mono.defer(() -> candidates(selector, excluded, true))
			.mapNotNull((candidates) -> pick(candidates, options.loadBalancing(), cursor));
		Mono<Candidate> found = options.waitTimeout().isZero()
				? lookUp.switchIfEmpty(Mono.error(() -> new SwaggerSocketNoMatchingPeerException(selector,
						"No live connection on this hub matches selector '" + selector + "'")))
				: lookUp
					.switchIfEmpty(await(lookUp, options, (within) -> new SwaggerSocketNoMatchingPeerException(selector,
							"No live connection on this hub matched selector '" + selector + "' " + within)));
		return found.mapNotNull(Candidate::local);
	}

	private Mono<List<Candidate>> candidates(PeerSelector selector, Set<String> excluded, boolean localOnly) {
		List<Candidate> locals = new ArrayList<>();
		for (SwaggerSocketConnection connection : this.connections.findByMetadata(selector::matches)) {
			if (!excluded.contains(connection.id()) && usable(connection)) {
				locals.add(new Candidate(connection.id(), connection));
			}
		}
		ConnectionDirectory directory = this.directory;
		if (directory == null || localOnly) {
			return Mono.just(locals);
		}
		Map.Entry<String, String> first = selector.pairs().entrySet().iterator().next();
		return directory.findByMetadata(first.getKey(), first.getValue())
			.filter((location) -> !location.local() && !excluded.contains(location.connectionId())
					&& selector.matches(location.metadata()))
			.map(ConnectionLocation::connectionId)
			// this hub's own connections come from its registry, which is never behind
			.filter((id) -> this.connections.find(id).isEmpty())
			.map((id) -> new Candidate(id, null))
			.collectList()
			.map((remote) -> {
				List<Candidate> all = new ArrayList<>(locals);
				all.addAll(remote);
				return all;
			})
			// without the directory, this hub's own connections are still reachable
			.onErrorResume((ex) -> ex instanceof SwaggerSocketClusterUnavailableException && !locals.isEmpty(),
					(ex) -> Mono.just(locals));
	}

	private static boolean usable(SwaggerSocketConnection connection) {
		return connection.isOpen() && !connection.isGoingAway();
	}

	private @Nullable Candidate pick(List<Candidate> candidates, LoadBalancing loadBalancing, AtomicInteger cursor) {
		if (candidates.isEmpty()) {
			return null;
		}
		List<Candidate> ordered = new ArrayList<>(candidates);
		// a stable order, so that taking turns visits each in turn
		ordered.sort(Comparator.comparing(Candidate::id));
		int size = ordered.size();
		int start = Math.floorMod(cursor.getAndIncrement(), size);
		if (loadBalancing == LoadBalancing.ROUND_ROBIN) {
			return ordered.get(start);
		}
		Candidate best = ordered.get(start);
		int bestLoad = best.load(this.remoteCalls);
		for (int i = 1; i < size; i++) {
			Candidate candidate = ordered.get((start + i) % size);
			int load = candidate.load(this.remoteCalls);
			if (load < bestLoad) {
				best = candidate;
				bestLoad = load;
			}
		}
		return best;
	}

	/**
	 * Make one attempt of a call on a connection.
	 */
	Mono<ClientHttpResponse> call(Candidate candidate, HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		SwaggerSocketConnection local = candidate.local();
		if (local != null) {
			if (!usable(local)) {
				// it closed or began to go away since it was picked: nothing was sent
				return Mono.error(new SwaggerSocketStreamRefusedException(
						"Connection " + local.id() + " began to close before the call was sent"));
			}
			return new SwaggerSocketClientHttpConnector(local).connect(method, uri, requestCallback);
		}
		ConnectionDirectory directory = this.directory;
		ClusterForwarder forwarder = this.forwarder;
		if (directory == null || forwarder == null) {
			return Mono.error(new IllegalStateException("Not in a cluster"));
		}
		String id = candidate.id();
		return Mono.defer(() -> {
			this.remoteCalls.merge(id, 1, Integer::sum);
			return new ClusterClientHttpConnector(id, this.connections, directory, forwarder)
				.connect(method, uri, requestCallback)
				.doFinally((signal) -> this.remoteCalls.computeIfPresent(id,
						(key, calls) -> (calls > 1) ? calls - 1 : null));
		});
	}

	/**
	 * Wait until a connection matches, or the timeout.
	 */
	Mono<Candidate> await(Mono<Candidate> lookUp, RoutingOptions options, Function<String, Throwable> onTimeout) {
		return this.waiters.await(lookUp, options.waitTimeout(),
				() -> onTimeout.apply("within " + options.waitTimeout().toMillis() + " ms"));
	}

}
