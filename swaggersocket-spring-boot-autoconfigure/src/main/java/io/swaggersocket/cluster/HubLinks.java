package io.swaggersocket.cluster;

import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHeartbeatHandler;
import io.swaggersocket.connection.SwaggerSocketStreamHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * The SwaggerSocket connections between this hub and the other hubs of its cluster, over
 * which calls for connections that another hub holds are forwarded: one link per other
 * hub, dialed when the first call needs it and shared by every call to that hub
 * afterwards, so that forwarded calls are multiplexed streams under the protocol's flow
 * control rather than one HTTP exchange each.
 *
 * <p>
 * A link is dialed to the other hub's cluster path as a WebSocket upgrade that carries
 * the cluster's secret; the other hub accepts it into a {@link ConnectionManager} of its
 * own, apart from its agents: links are not listed with them, looked up, published in the
 * directory or announced by events. A link that fails, closes or announces GOAWAY is
 * dropped, and the next call dials a fresh one; calls already on it finish or fail as on
 * any connection. The links' manager is this lifecycle's: it stops with the other
 * connections, before the web server's graceful shutdown.
 */
public final class HubLinks implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HubLinks.class);

	/** The link's metadata entry that names the dialing hub's id. */
	static final String HUB_ID = "swaggersocket.hub";

	/** The link's metadata entry that names the URL the dialing hub advertises. */
	static final String HUB_URL = "swaggersocket.hub-url";

	/** As many hubs as a cluster could sensibly have; beyond, the streaks start over. */
	private static final int MAX_FAILING_HUBS = 1024;

	private final SwaggerSocketConnections registry = new SwaggerSocketConnections();

	private final ConnectionManager manager;

	private final ReactorNettyWebSocketClient webSocketClient;

	private final String path;

	private final ClusterSecret secret;

	private final String hubId;

	private final ConcurrentMap<URI, Link> links = new ConcurrentHashMap<>();

	/** The links other hubs dialed to this one, by the URL those hubs advertise. */
	private final ConcurrentMap<URI, SwaggerSocketConnection> served = new ConcurrentHashMap<>();

	/**
	 * The hubs whose last dials failed, by the URL they advertise, with how many did: the
	 * first failure of a streak is logged at WARN, the others at DEBUG, so a busy hub
	 * does not flood the log.
	 */
	private final ConcurrentMap<URI, Integer> failedDials = new ConcurrentHashMap<>();

	private final Supplier<@Nullable URI> hubUrl;

	/**
	 * Create the links of one hub.
	 * @param options the links' options
	 * @param endpoint serves the calls other hubs send over their links: the cluster
	 * endpoint
	 * @param httpClient dials the other hubs (its event loops, TLS and proxy)
	 * @param path the cluster path on every hub, for example
	 * {@code /swaggersocket-cluster}
	 * @param secret the cluster's shared secret
	 * @param hubId this hub's id, sent in the link's metadata for the other hub's logs
	 * @param hubUrl the URL this hub advertises, sent in the link's metadata so that the
	 * other hub dials a link back; {@code null} (or a supplier returning it) for none
	 */
	public HubLinks(ConnectionOptions options, SwaggerSocketStreamHandler endpoint, HttpClient httpClient, String path,
			ClusterSecret secret, String hubId, Supplier<@Nullable URI> hubUrl) {
		// events are the agents': a link announces none
		this.manager = new ConnectionManager(options, this.registry, this::onLinkEvent,
				SwaggerSocketHeartbeatHandler.DEFAULT, endpoint);
		this.webSocketClient = this.manager.webSocketClient(httpClient);
		this.path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
		this.secret = secret;
		this.hubId = hubId;
		this.hubUrl = hubUrl;
	}

	/**
	 * Return the links' manager, which also accepts the links other hubs dial to this
	 * one.
	 * @return the manager
	 */
	public ConnectionManager manager() {
		return this.manager;
	}

	/**
	 * Return the open links, those this hub dialed and those other hubs dialed to it.
	 * @return the links
	 */
	public List<SwaggerSocketConnection> connections() {
		return this.registry.list();
	}

	/**
	 * Return the link a call to a hub travels on: for a request that sends a large body,
	 * the link that hub dialed to this one, if it is open, as its server's bytes go
	 * unmasked; else this hub's own link to it, dialed if there is none.
	 * <p>
	 * A dial that fails is logged at WARN with the hub's id, its URL and the reason, once
	 * per streak of failures to that hub (the others at DEBUG), and the first link
	 * established after such a streak at INFO.
	 * @param hubId the other hub's id, for the logs
	 * @param hubUrl the URL the other hub advertises
	 * @param sendsLargeBody whether the call's request sends a large body
	 * @return the link; errors if it cannot be established: with the other hub's refusal
	 * of the secret, with a {@code ConnectException} for any other failure (nothing was
	 * sent), or, while this hub is shutting down, with
	 * {@code SwaggerSocketConnectionClosedException}
	 */
	public Mono<SwaggerSocketConnection> link(String hubId, URI hubUrl, boolean sendsLargeBody) {
		return link(hubId, hubUrl, sendsLargeBody, false);
	}

	private Mono<SwaggerSocketConnection> link(@Nullable String hubId, URI hubUrl, boolean sendsLargeBody,
			boolean back) {
		return Mono.defer(() -> {
			if (!this.manager.isRunning()) {
				return Mono.error(new SwaggerSocketConnectionClosedException("This hub is shutting down"));
			}
			if (sendsLargeBody) {
				SwaggerSocketConnection served = this.served.get(hubUrl);
				if (served != null && usable(served)) {
					return Mono.just(served);
				}
			}
			// every call asks: an established link is answered without taking the map's
			// lock (compute) or assembling the dial's operators
			Link current = this.links.get(hubUrl);
			SwaggerSocketConnection established = (current != null && current.usable()) ? current.established : null;
			if (established != null && usable(established)) {
				return Mono.just(established);
			}
			Link link = this.links.compute(hubUrl,
					(url, kept) -> (kept != null && kept.usable()) ? kept : new Link(url, hubId, back));
			// a link closed or going away a moment ago, before it was retired: never use
			// it, dial anew
			return link.connection().filter(HubLinks::usable).switchIfEmpty(Mono.defer(() -> {
				link.retire();
				return this.links.computeIfAbsent(hubUrl, (url) -> new Link(url, hubId, back)).connection();
			}));
		});
	}

	private static boolean usable(SwaggerSocketConnection connection) {
		return connection.isOpen() && !connection.isGoingAway();
	}

	/**
	 * A link another hub dialed is kept by the URL it advertised, until it goes away; and
	 * if this hub has no link of its own to that hub, it dials one back, so that each
	 * direction of the pair has a link on which its large bodies flow server to client.
	 */
	private void onLinkEvent(Object event) {
		if (!(event instanceof SwaggerSocketConnectedEvent connected)) {
			return;
		}
		SwaggerSocketConnection connection = connected.getConnection();
		if (connection.info().role() != ConnectionRole.SERVER
				|| !(connection.info().metadata().get(HUB_URL) instanceof String advertised)) {
			return;
		}
		URI dialer;
		try {
			dialer = URI.create(advertised);
		}
		catch (IllegalArgumentException ex) {
			logger.debug("Link " + connection.id() + " names no usable hub URL: " + advertised);
			return;
		}
		this.served.put(dialer, connection);
		connection.goingAway()
			.subscribe(null, (ex) -> this.served.remove(dialer, connection),
					() -> this.served.remove(dialer, connection));
		if (!this.links.containsKey(dialer)) {
			String hubId = (connection.info().metadata().get(HUB_ID) instanceof String id) ? id : null;
			// a failure is logged by the dial, once per streak
			link(hubId, dialer, false, true).subscribe(null, (ex) -> {
			});
		}
	}

	private Map<String, Object> metadata() {
		URI url = this.hubUrl.get();
		return (url != null) ? Map.of(HUB_ID, this.hubId, HUB_URL, url.toString()) : Map.of(HUB_ID, this.hubId);
	}

	/**
	 * The URL a link to a hub is dialed at: the hub's advertised URL with a WebSocket
	 * scheme and the cluster path.
	 * @param hubUrl the URL the other hub advertises
	 * @return the link's URL
	 */
	URI linkUrl(URI hubUrl) {
		String base = hubUrl.toString();
		base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
		String scheme = "https".equalsIgnoreCase(hubUrl.getScheme()) ? "wss" : "ws";
		return URI.create(scheme + base.substring(base.indexOf(':')) + this.path);
	}

	@Override
	public void start() {
		this.manager.start();
	}

	@Override
	public void stop(Runnable callback) {
		this.manager.stop(callback);
	}

	@Override
	public void stop() {
		this.manager.stop();
	}

	@Override
	public boolean isRunning() {
		return this.manager.isRunning();
	}

	@Override
	public int getPhase() {
		return this.manager.getPhase();
	}

	/** Count a failed dial to a hub, and log it: at WARN if it starts a streak. */
	private void dialFailed(URI hubUrl, @Nullable String hubId, boolean back, String reason) {
		if (this.failedDials.size() >= MAX_FAILING_HUBS && !this.failedDials.containsKey(hubUrl)) {
			// a streak forgotten costs one more WARN, not memory
			this.failedDials.clear();
		}
		int failures = this.failedDials.merge(hubUrl, 1, Integer::sum);
		String hub = describe(hubUrl, hubId);
		if (failures == 1) {
			String advice = back
					? ". Its calls to this hub still go on its own link, but this hub reaches it at "
							+ "that URL too: is its swaggersocket.cluster.advertised-url reachable from this hub?"
					: ".";
			logger.warn("Could not dial a link " + (back ? "back " : "") + "to " + hub + " (" + reason + ")" + advice
					+ " Further failures to dial it are logged at DEBUG until a link to it is established.");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Could not dial a link " + (back ? "back " : "") + "to " + hub + " (" + reason + "), "
					+ failures + " failures in a row");
		}
	}

	private void dialSucceeded(URI hubUrl, @Nullable String hubId) {
		Integer failures = this.failedDials.remove(hubUrl);
		if (failures != null) {
			logger.info("Link to " + describe(hubUrl, hubId) + " established after " + failures + " failed dial"
					+ ((failures > 1) ? "s" : ""));
		}
	}

	/**
	 * Return how many dials to a hub have failed since the last that succeeded.
	 * @param hubUrl the URL the hub advertises
	 * @return the count, 0 if the last dial succeeded or none was made
	 */
	int failedDials(URI hubUrl) {
		return this.failedDials.getOrDefault(hubUrl, 0);
	}

	private static String describe(URI hubUrl, @Nullable String hubId) {
		return "hub " + ((hubId != null) ? hubId + " at " : "") + hubUrl;
	}

	/**
	 * One dialed link: its connection, once established, shared by every call until it
	 * goes away.
	 */
	private final class Link {

		private final URI hubUrl;

		private final @Nullable String hubId;

		/** Whether it was dialed back to a hub that dialed this one, for the logs. */
		private final boolean back;

		private final Mono<SwaggerSocketConnection> connection;

		private volatile boolean retired;

		/** The link's connection once established, for calls that need no dial. */
		private volatile @Nullable SwaggerSocketConnection established;

		Link(URI hubUrl, @Nullable String hubId, boolean back) {
			this.hubUrl = hubUrl;
			this.hubId = hubId;
			this.back = back;
			this.connection = Mono.defer(this::dial).cache();
		}

		Mono<SwaggerSocketConnection> connection() {
			return this.connection;
		}

		boolean usable() {
			return !this.retired;
		}

		private Mono<SwaggerSocketConnection> dial() {
			URI url = linkUrl(this.hubUrl);
			HttpHeaders headers = new HttpHeaders();
			headers.set(ClusterForwarder.SECRET_HEADER, HubLinks.this.secret.value());
			Sinks.One<SwaggerSocketConnection> dialed = Sinks.one();
			logger.debug("Dialing a link to " + describe(this.hubUrl, this.hubId));
			HubLinks.this.manager.dial(HubLinks.this.webSocketClient, url, headers, metadata(), (connection) -> {
				connection.goingAway().subscribe(null, (ex) -> retire(), this::retire);
				this.established = connection;
				dialSucceeded(this.hubUrl, this.hubId);
				dialed.tryEmitValue(connection);
			})
				.subscribe(null, (ex) -> ended(dialed, ex),
						() -> ended(dialed, new SwaggerSocketConnectionClosedException("closed")));
			return dialed.asMono();
		}

		/**
		 * The link ended: if it was never established, the dial failed, and the calls
		 * that wait for it fail.
		 */
		private void ended(Sinks.One<SwaggerSocketConnection> dialed, Throwable ex) {
			retire();
			if (this.established == null) {
				dialed.tryEmitError(failure(ex));
			}
		}

		/**
		 * What a call sees of a link that could not be established: the other hub's
		 * refusal of this hub's secret as it is, anything else as a failure to connect,
		 * as nothing of the call was sent (the caller may look the connection up afresh).
		 */
		private Throwable failure(Throwable ex) {
			boolean refusedSecret = ClusterForwarder.isRefusedByHub(ex);
			if (!HubLinks.this.manager.isRunning()) {
				// this hub is shutting down: nothing to tell an operator
				logger.debug("Link to " + describe(this.hubUrl, this.hubId) + " not established: " + ex);
			}
			else if (refusedSecret) {
				dialFailed(this.hubUrl, this.hubId, this.back,
						"refused with " + ((WebSocketClientHandshakeException) ex).response().status()
								+ ": swaggersocket.cluster.secret must be the same on every hub, and the cluster path "
								+ "reachable without other credentials");
			}
			else if (ex instanceof WebSocketClientHandshakeException refused) {
				dialFailed(this.hubUrl, this.hubId, this.back, "the upgrade was answered with "
						+ refused.response().status() + ": is swaggersocket.cluster.path the same on every hub?");
			}
			else {
				dialFailed(this.hubUrl, this.hubId, this.back, reason(ex));
			}
			if (refusedSecret) {
				return ex;
			}
			ConnectException unreachable = new ConnectException(
					"No link to hub " + this.hubUrl + ": " + ((ex.getMessage() != null) ? ex.getMessage() : ex));
			unreachable.initCause(ex);
			return unreachable;
		}

		private void retire() {
			this.retired = true;
			HubLinks.this.links.remove(this.hubUrl, this);
		}

	}

	/**
	 * The innermost cause's message, which names what failed (a refused connection...).
	 */
	private static String reason(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}

}
