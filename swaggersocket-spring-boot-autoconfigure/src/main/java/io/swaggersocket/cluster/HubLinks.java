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

	private final SwaggerSocketConnections registry = new SwaggerSocketConnections();

	private final ConnectionManager manager;

	private final ReactorNettyWebSocketClient webSocketClient;

	private final String path;

	private final ClusterSecret secret;

	private final String hubId;

	private final ConcurrentMap<URI, Link> links = new ConcurrentHashMap<>();

	/** The links other hubs dialed to this one, by the URL those hubs advertise. */
	private final ConcurrentMap<URI, SwaggerSocketConnection> served = new ConcurrentHashMap<>();

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
	 * Return the open link to a hub, dialing it if there is none.
	 * @param hubUrl the URL the other hub advertises
	 * @return the link; errors if it cannot be established: with the other hub's refusal
	 * of the secret, with a {@code ConnectException} for any other failure (nothing was
	 * sent), or, while this hub is shutting down, with
	 * {@code SwaggerSocketConnectionClosedException}
	 */
	public Mono<SwaggerSocketConnection> link(URI hubUrl) {
		return link(hubUrl, false);
	}

	/**
	 * Return the link a call to a hub travels on: for a request that sends a large body,
	 * the link that hub dialed to this one, if it is open, as its server's bytes go
	 * unmasked; else this hub's own link to it, dialed if there is none.
	 * @param hubUrl the URL the other hub advertises
	 * @param sendsLargeBody whether the call's request sends a large body
	 * @return the link; errors as {@link #link(URI)}
	 */
	public Mono<SwaggerSocketConnection> link(URI hubUrl, boolean sendsLargeBody) {
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
					(url, kept) -> (kept != null && kept.usable()) ? kept : new Link(url));
			// a link closed or going away a moment ago, before it was retired: never use
			// it, dial anew
			return link.connection().filter(HubLinks::usable).switchIfEmpty(Mono.defer(() -> {
				link.retire();
				return this.links.computeIfAbsent(hubUrl, Link::new).connection();
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
			link(dialer).subscribe(null,
					(ex) -> logger.debug("Could not dial a link back to hub " + dialer + ": " + ex.getMessage()));
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

	/**
	 * One dialed link: its connection, once established, shared by every call until it
	 * goes away.
	 */
	private final class Link {

		private final URI hubUrl;

		private final Mono<SwaggerSocketConnection> connection;

		private volatile boolean retired;

		/** The link's connection once established, for calls that need no dial. */
		private volatile @Nullable SwaggerSocketConnection established;

		Link(URI hubUrl) {
			this.hubUrl = hubUrl;
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
			logger.debug("Dialing a link to hub " + this.hubUrl);
			HubLinks.this.manager.dial(HubLinks.this.webSocketClient, url, headers, metadata(), (connection) -> {
				connection.goingAway().subscribe(null, (ex) -> retire(), this::retire);
				this.established = connection;
				dialed.tryEmitValue(connection);
			}).subscribe(null, (ex) -> {
				retire();
				dialed.tryEmitError(failure(ex));
			}, () -> {
				retire();
				dialed.tryEmitError(failure(new SwaggerSocketConnectionClosedException("closed")));
			});
			return dialed.asMono();
		}

		/**
		 * What a call sees of a link that could not be established: the other hub's
		 * refusal of this hub's secret as it is, anything else as a failure to connect,
		 * as nothing of the call was sent (the caller may look the connection up afresh).
		 */
		private Throwable failure(Throwable ex) {
			if (ClusterForwarder.isRefusedByHub(ex)) {
				logger.warn("Hub " + this.hubUrl + " refused a link from this hub ("
						+ ((WebSocketClientHandshakeException) ex).response().status()
						+ "): swaggersocket.cluster.secret must be the same on every hub, and the cluster path "
						+ "reachable without other credentials");
				return ex;
			}
			if (ex instanceof WebSocketClientHandshakeException refused) {
				logger.warn("Hub " + this.hubUrl + " answered a link's upgrade with " + refused.response().status()
						+ ": is swaggersocket.cluster.path the same on every hub?");
			}
			else {
				logger.debug("Link to hub " + this.hubUrl + " failed: " + ex);
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

}
