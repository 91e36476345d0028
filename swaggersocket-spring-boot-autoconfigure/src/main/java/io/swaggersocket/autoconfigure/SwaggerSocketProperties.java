package io.swaggersocket.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swaggersocket.connection.SpreadHandling;
import io.swaggersocket.routing.LoadBalancing;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for SwaggerSocket.
 */
@ConfigurationProperties("swaggersocket")
public class SwaggerSocketProperties {

	private final Server server = new Server();

	private final Client client = new Client();

	private final Heartbeat heartbeat = new Heartbeat();

	private final Limits limits = new Limits();

	private final Expose expose = new Expose();

	private final Cluster cluster = new Cluster();

	private final Routing routing = new Routing();

	private final WebSocket websocket = new WebSocket();

	/**
	 * Where the peer's requests are handled: "off" on the one event loop of their
	 * connection; "on" handed in turn to the connection's loop and the ones after it (no
	 * more loops than processors), for handlers that need more than one core per
	 * connection, at some CPU per request for the hand-off; "when-busy" on the
	 * connection's loop while it handles fewer than two of the connection's requests,
	 * handed off beyond that.
	 */
	private SpreadHandling spreadHandling = SpreadHandling.OFF;

	public SpreadHandling getSpreadHandling() {
		return this.spreadHandling;
	}

	public void setSpreadHandling(SpreadHandling spreadHandling) {
		this.spreadHandling = spreadHandling;
	}

	public Routing getRouting() {
		return this.routing;
	}

	public WebSocket getWebsocket() {
		return this.websocket;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	public Expose getExpose() {
		return this.expose;
	}

	public Server getServer() {
		return this.server;
	}

	public Client getClient() {
		return this.client;
	}

	public Heartbeat getHeartbeat() {
		return this.heartbeat;
	}

	public Limits getLimits() {
		return this.limits;
	}

	/**
	 * The server role: the WebSocket endpoint that agents dial.
	 */
	public static class Server {

		/**
		 * Whether to expose the SwaggerSocket endpoint on this reactive web application.
		 */
		private boolean enabled = true;

		/**
		 * Path of the WebSocket endpoint.
		 */
		private String path = "/swaggersocket";

		/**
		 * Whether connections this application accepted serve the application's HTTP API
		 * to their peers.
		 */
		private boolean serve = true;

		/**
		 * How many connections the endpoint accepts at once, -1 for no limit. Beyond it,
		 * new connections are closed with 1013 (try again later).
		 */
		private int maxConnections = -1;

		private final Gateway gateway = new Gateway();

		public Gateway getGateway() {
			return this.gateway;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

		public boolean isServe() {
			return this.serve;
		}

		public void setServe(boolean serve) {
			this.serve = serve;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

	}

	/**
	 * The HTTP gateway to peers on the server: {@code {prefix}/{connectionId}/**}.
	 */
	public static class Gateway {

		/**
		 * Whether to forward requests under the prefix to the peer named by the
		 * connection id. Secure it like any endpoint of the application.
		 */
		private boolean enabled;

		/**
		 * Path prefix of the gateway.
		 */
		private String prefix = "/peers";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getPrefix() {
			return this.prefix;
		}

		public void setPrefix(String prefix) {
			this.prefix = prefix;
		}

	}

	/**
	 * The client role: dialing a server on start-up.
	 */
	public static class Client {

		/**
		 * WebSocket URL of the server to dial, for example ws://hub:8080/swaggersocket.
		 * The client role is active only when set.
		 */
		private @Nullable URI url;

		/**
		 * Metadata sent to the server in the handshake, as a JSON object of strings.
		 */
		private Map<String, String> metadata = new LinkedHashMap<>();

		/**
		 * Extra headers for the WebSocket upgrade request, for example Authorization.
		 */
		private Map<String, String> headers = new LinkedHashMap<>();

		/**
		 * Whether the connection this application dialed serves the application's HTTP
		 * API to the server.
		 */
		private boolean serve = true;

		private final Reconnect reconnect = new Reconnect();

		/**
		 * Routes to local upstream services: requests that arrive over the connection
		 * this application dialed and match a route's path are forwarded to its URI.
		 */
		private List<Route> routes = new ArrayList<>();

		public List<Route> getRoutes() {
			return this.routes;
		}

		public void setRoutes(List<Route> routes) {
			this.routes = routes;
		}

		public boolean isServe() {
			return this.serve;
		}

		public void setServe(boolean serve) {
			this.serve = serve;
		}

		public @Nullable URI getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable URI url) {
			this.url = url;
		}

		public Map<String, String> getMetadata() {
			return this.metadata;
		}

		public void setMetadata(Map<String, String> metadata) {
			this.metadata = metadata;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public Reconnect getReconnect() {
			return this.reconnect;
		}

	}

	/**
	 * A route to a local upstream service.
	 */
	public static class Route {

		/**
		 * Path pattern of the requests to forward, for example /device/**.
		 */
		private @Nullable String path;

		/**
		 * Base URI of the upstream service, http or https, for example
		 * http://192.168.1.20:8080.
		 */
		private @Nullable URI uri;

		/**
		 * Whether to remove the path's leading literal segments (/device of /device/**)
		 * before forwarding, and announce them in X-Forwarded-Prefix.
		 */
		private boolean stripPrefix;

		/**
		 * How long to wait for a connection to the upstream before answering 502.
		 */
		private Duration connectTimeout = Duration.ofSeconds(10);

		/**
		 * How long to wait, once the request is sent, for the upstream's response head
		 * before answering 504. The body then streams without a limit.
		 */
		private Duration responseTimeout = Duration.ofSeconds(60);

		/**
		 * Whether the upstream sees the caller's Host header rather than the host of the
		 * route's URI.
		 */
		private boolean preserveHost;

		public @Nullable String getPath() {
			return this.path;
		}

		public void setPath(@Nullable String path) {
			this.path = path;
		}

		public @Nullable URI getUri() {
			return this.uri;
		}

		public void setUri(@Nullable URI uri) {
			this.uri = uri;
		}

		public boolean isStripPrefix() {
			return this.stripPrefix;
		}

		public void setStripPrefix(boolean stripPrefix) {
			this.stripPrefix = stripPrefix;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public Duration getResponseTimeout() {
			return this.responseTimeout;
		}

		public void setResponseTimeout(Duration responseTimeout) {
			this.responseTimeout = responseTimeout;
		}

		public boolean isPreserveHost() {
			return this.preserveHost;
		}

		public void setPreserveHost(boolean preserveHost) {
			this.preserveHost = preserveHost;
		}

	}

	/**
	 * Backoff between connection attempts.
	 */
	public static class Reconnect {

		/**
		 * Delay before the first retry; doubles on every further failed attempt.
		 */
		private Duration initialBackoff = Duration.ofSeconds(1);

		/**
		 * Longest delay between attempts.
		 */
		private Duration maxBackoff = Duration.ofSeconds(30);

		/**
		 * Random share of each delay, from 0 to 1, so that many agents do not reconnect
		 * in step.
		 */
		private double jitter = 0.5;

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

		public double getJitter() {
			return this.jitter;
		}

		public void setJitter(double jitter) {
			this.jitter = jitter;
		}

	}

	/**
	 * WebSocket ping/pong heartbeat, on both roles.
	 */
	public static class Heartbeat {

		/**
		 * How often to ping the peer.
		 */
		private Duration interval = Duration.ofSeconds(20);

		/**
		 * How long the peer may stay silent (no frame, ping or pong) before the
		 * connection is declared failed. Detection takes at most timeout plus one
		 * interval.
		 */
		private Duration timeout = Duration.ofSeconds(60);

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Which paths of the application peers may reach over the socket.
	 */
	public static class Expose {

		/**
		 * Path patterns peers may reach (PathPattern syntax).
		 */
		private List<String> include = List.of("/**");

		/**
		 * Path patterns peers may not reach, even if included.
		 */
		private List<String> exclude = List.of();

		/**
		 * Whether to exclude the actuator base path (management.endpoints.web.base-path).
		 */
		private boolean excludeActuator = true;

		public List<String> getInclude() {
			return this.include;
		}

		public void setInclude(List<String> include) {
			this.include = include;
		}

		public List<String> getExclude() {
			return this.exclude;
		}

		public void setExclude(List<String> exclude) {
			this.exclude = exclude;
		}

		public boolean isExcludeActuator() {
			return this.excludeActuator;
		}

		public void setExcludeActuator(boolean excludeActuator) {
			this.excludeActuator = excludeActuator;
		}

	}

	/**
	 * Protocol limits this side declares and enforces.
	 */
	public static class Limits {

		/**
		 * How long the three-step handshake may take after the WebSocket upgrade.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(10);

		/**
		 * Largest frame payload accepted (at least 16KB); bodies travel in frames of at
		 * most the peer's limit.
		 */
		private DataSize maxFrameSize = DataSize.ofKilobytes(64);

		/**
		 * Largest header block (request or response headers) accepted.
		 */
		private DataSize maxHeaderBlockSize = DataSize.ofKilobytes(16);

		/**
		 * Largest handshake metadata (the HELLO payload) the server accepts.
		 */
		private DataSize maxMetadataSize = DataSize.ofKilobytes(16);

		/**
		 * Flow-control credit of each stream: body bytes the peer may send before this
		 * side has consumed them. While the windows can grow (max-window above them), a
		 * value above the default 256KB is the stream's first round trip: after it the
		 * stream keeps out the window the measured link calls for, from 256KB up, so that
		 * a short link does not queue the whole window in front of other streams.
		 */
		private DataSize initialStreamWindow = DataSize.ofKilobytes(256);

		/**
		 * Flow-control credit of the whole connection, across its streams.
		 */
		private DataSize connectionWindow = DataSize.ofMegabytes(1);

		/**
		 * How far the connection window may grow (a stream's, half of it), from the
		 * bandwidth-delay product measured with pings while bodies flow, so that one
		 * stream on a high-latency link is not capped at window / round trip. It is the
		 * most a connection's readers can make this side hold by stalling. At or below
		 * the initial windows, they do not grow.
		 */
		private DataSize maxWindow = DataSize.ofMegabytes(64);

		/**
		 * How many streams the peer may have open towards this side at once.
		 */
		private int maxConcurrentStreams = 256;

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public DataSize getMaxHeaderBlockSize() {
			return this.maxHeaderBlockSize;
		}

		public void setMaxHeaderBlockSize(DataSize maxHeaderBlockSize) {
			this.maxHeaderBlockSize = maxHeaderBlockSize;
		}

		public DataSize getMaxMetadataSize() {
			return this.maxMetadataSize;
		}

		public void setMaxMetadataSize(DataSize maxMetadataSize) {
			this.maxMetadataSize = maxMetadataSize;
		}

		public DataSize getInitialStreamWindow() {
			return this.initialStreamWindow;
		}

		public void setInitialStreamWindow(DataSize initialStreamWindow) {
			this.initialStreamWindow = initialStreamWindow;
		}

		public DataSize getMaxWindow() {
			return this.maxWindow;
		}

		public void setMaxWindow(DataSize maxWindow) {
			this.maxWindow = maxWindow;
		}

		public DataSize getConnectionWindow() {
			return this.connectionWindow;
		}

		public void setConnectionWindow(DataSize connectionWindow) {
			this.connectionWindow = connectionWindow;
		}

		public int getMaxConcurrentStreams() {
			return this.maxConcurrentStreams;
		}

		public void setMaxConcurrentStreams(int maxConcurrentStreams) {
			this.maxConcurrentStreams = maxConcurrentStreams;
		}

	}

	/**
	 * Scale-out over several hubs that share one directory of connections in Redis.
	 */
	public static class Cluster {

		/**
		 * Whether this hub publishes its connections to Redis and reaches connections
		 * that other hubs hold. Needs Spring Data Redis reactive and spring.data.redis.*
		 * settings.
		 */
		private boolean enabled;

		/**
		 * Id of this hub in the cluster. Default: a random id for each start.
		 */
		private @Nullable String hubId;

		/**
		 * URL other hubs reach this hub's HTTP server at. Default: http (https with
		 * server.ssl) on server.address, or this host's address, and the server's port.
		 */
		private @Nullable URI advertisedUrl;

		/**
		 * Secret shared by the hubs of a cluster, which authenticates calls between them.
		 * Required when the cluster is enabled.
		 */
		private @Nullable String secret;

		/**
		 * How long an entry outlives the last refresh by its hub: the time after which
		 * the connections of a hub that died are forgotten.
		 */
		private Duration entryTimeToLive = Duration.ofSeconds(15);

		/**
		 * How often a hub refreshes (and, after an outage, republishes) its entries.
		 */
		private Duration refreshInterval = Duration.ofSeconds(5);

		/**
		 * Prefix of every Redis key of the directory: clusters sharing a Redis server
		 * need different prefixes.
		 */
		private String keyPrefix = "swaggersocket";

		/**
		 * Path of the endpoint other hubs forward calls to.
		 */
		private String path = "/swaggersocket-cluster";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable String getHubId() {
			return this.hubId;
		}

		public void setHubId(@Nullable String hubId) {
			this.hubId = hubId;
		}

		public @Nullable URI getAdvertisedUrl() {
			return this.advertisedUrl;
		}

		public void setAdvertisedUrl(@Nullable URI advertisedUrl) {
			this.advertisedUrl = advertisedUrl;
		}

		public @Nullable String getSecret() {
			return this.secret;
		}

		public void setSecret(@Nullable String secret) {
			this.secret = secret;
		}

		public Duration getEntryTimeToLive() {
			return this.entryTimeToLive;
		}

		public void setEntryTimeToLive(Duration entryTimeToLive) {
			this.entryTimeToLive = entryTimeToLive;
		}

		public Duration getRefreshInterval() {
			return this.refreshInterval;
		}

		public void setRefreshInterval(Duration refreshInterval) {
			this.refreshInterval = refreshInterval;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

	}

	/**
	 * Calls by selector (a selector-bound WebClient, the gateway's
	 * {@code {prefix}/{key}={value}/**}): load balancing, retry and waiting for a peer.
	 */
	public static class Routing {

		/**
		 * How a call picks one of the connections that match its selector.
		 */
		private LoadBalancing loadBalancing = LoadBalancing.ROUND_ROBIN;

		/**
		 * The most connections one call is tried on, the first included. Only calls that
		 * are safe to retry are retried: refused or unsent ones, and idempotent ones
		 * whose connection was lost before any of the response arrived.
		 */
		private int maxAttempts = 3;

		/**
		 * How long a call by selector waits for a matching connection to connect when
		 * there is none; 0 fails it at once. Gateway requests may ask for their own wait
		 * with the X-SwaggerSocket-Wait header.
		 */
		private Duration waitTimeout = Duration.ZERO;

		/**
		 * The longest wait a gateway request may ask for with the X-SwaggerSocket-Wait
		 * header.
		 */
		private Duration maxWaitTimeout = Duration.ofSeconds(30);

		/**
		 * The most calls that may wait for a connection at once; beyond it, calls fail at
		 * once (the gateway answers 503).
		 */
		private int maxWaiting = 1000;

		public LoadBalancing getLoadBalancing() {
			return this.loadBalancing;
		}

		public void setLoadBalancing(LoadBalancing loadBalancing) {
			this.loadBalancing = loadBalancing;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getWaitTimeout() {
			return this.waitTimeout;
		}

		public void setWaitTimeout(Duration waitTimeout) {
			this.waitTimeout = waitTimeout;
		}

		public Duration getMaxWaitTimeout() {
			return this.maxWaitTimeout;
		}

		public void setMaxWaitTimeout(Duration maxWaitTimeout) {
			this.maxWaitTimeout = maxWaitTimeout;
		}

		public int getMaxWaiting() {
			return this.maxWaiting;
		}

		public void setMaxWaiting(int maxWaiting) {
			this.maxWaiting = maxWaiting;
		}

	}

	/**
	 * WebSockets carried over SwaggerSocket streams.
	 */
	public static class WebSocket {

		/**
		 * Accept WebSockets the peer opens over streams to this application's WebSocket
		 * handlers (announced to the peer in the handshake). Opening WebSockets to a peer
		 * that accepts them works either way.
		 */
		private boolean enabled = true;

		/**
		 * The largest WebSocket message a session over a stream, or the gateway's outside
		 * socket, receives; a larger one closes the session with 1009.
		 */
		private DataSize maxMessageSize = DataSize.ofMegabytes(1);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public DataSize getMaxMessageSize() {
			return this.maxMessageSize;
		}

		public void setMaxMessageSize(DataSize maxMessageSize) {
			this.maxMessageSize = maxMessageSize;
		}

	}

}
