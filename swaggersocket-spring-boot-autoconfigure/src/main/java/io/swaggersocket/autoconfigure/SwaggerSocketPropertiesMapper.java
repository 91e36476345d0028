package io.swaggersocket.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.client.ReconnectPolicy;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.ConnectionSettings;
import io.swaggersocket.http.SwaggerSocketRoute;
import io.swaggersocket.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * Turns {@link SwaggerSocketProperties} into the library's settings, refusing values the
 * protocol cannot work with by naming the property, so that start-up fails with Boot's
 * failure report instead of every peer being turned away later.
 */
final class SwaggerSocketPropertiesMapper {

	/**
	 * Larger frames would make single WebSocket messages unreasonably large to buffer.
	 */
	static final DataSize MAX_FRAME_SIZE = DataSize.ofMegabytes(16);

	/**
	 * The fewest calls at once on a link between two hubs: as many as forwarding over
	 * pooled HTTP connections allowed before links.
	 */
	static final int MIN_LINK_STREAMS = 1024;

	/**
	 * The smallest stream window of a link between two hubs: a body through two hubs
	 * crosses two windows in a row, and with the connections' default of 256 KiB on the
	 * link too, a 256 MiB upload through two hubs moved at about half the speed of one
	 * through one hub (docs/benchmarks.md, cluster section).
	 */
	static final int MIN_LINK_STREAM_WINDOW = 2 * 1024 * 1024;

	/**
	 * The smallest connection window of a link between two hubs: room for four calls'
	 * bodies at full stream window. A cluster of n hubs holds at most n(n-1) links, so
	 * this is the most a hub's links can hold for stalled readers, per other hub.
	 */
	static final int MIN_LINK_CONNECTION_WINDOW = 8 * 1024 * 1024;

	private SwaggerSocketPropertiesMapper() {
	}

	/**
	 * The options of the links between hubs: the connections' own, but for as many calls
	 * at once between two hubs as {@link #MIN_LINK_STREAMS} (a link carries every call
	 * from one hub to another), windows of at least {@link #MIN_LINK_STREAM_WINDOW} and
	 * {@link #MIN_LINK_CONNECTION_WINDOW}, and no WebSockets over streams.
	 * @param options the connections' options
	 * @return the links' options
	 */
	static ConnectionOptions linkOptions(ConnectionOptions options) {
		ConnectionSettings settings = options.settings();
		ConnectionSettings link = new ConnectionSettings(settings.maxFrameSize(), settings.maxHeaderBlockSize(),
				Math.max(MIN_LINK_STREAM_WINDOW, settings.initialStreamWindow()),
				Math.max(MIN_LINK_CONNECTION_WINDOW, settings.connectionWindow()),
				Math.max(MIN_LINK_STREAMS, settings.maxConcurrentStreams()), false);
		return new ConnectionOptions(link, options.handshakeTimeout(), options.heartbeatInterval(),
				options.heartbeatTimeout(), options.maxMetadataSize(), options.drainTimeout(), -1,
				Math.max(options.maxWindow(), MIN_LINK_CONNECTION_WINDOW), options.spreadHandling());
	}

	static ConnectionOptions connectionOptions(SwaggerSocketProperties properties, Environment environment) {
		SwaggerSocketProperties.Limits limits = properties.getLimits();
		SwaggerSocketProperties.Heartbeat heartbeat = properties.getHeartbeat();
		positive("swaggersocket.heartbeat.interval", heartbeat.getInterval());
		if (heartbeat.getTimeout().compareTo(heartbeat.getInterval()) < 0) {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.heartbeat.timeout",
					heartbeat.getTimeout(), "must not be shorter than swaggersocket.heartbeat.interval");
		}
		positive("swaggersocket.limits.handshake-timeout", limits.getHandshakeTimeout());
		ConnectionSettings settings = new ConnectionSettings(
				bytes("swaggersocket.limits.max-frame-size", limits.getMaxFrameSize(), FrameCodec.MIN_MAX_FRAME_SIZE,
						MAX_FRAME_SIZE.toBytes()),
				bytes("swaggersocket.limits.max-header-block-size", limits.getMaxHeaderBlockSize(), 1024, 0xFFFF * 2L),
				bytes("swaggersocket.limits.initial-stream-window", limits.getInitialStreamWindow(), 1,
						Integer.MAX_VALUE),
				bytes("swaggersocket.limits.connection-window", limits.getConnectionWindow(), 1, Integer.MAX_VALUE),
				atLeastOne("swaggersocket.limits.max-concurrent-streams", limits.getMaxConcurrentStreams()),
				properties.getWebsocket().isEnabled());
		int maxMetadataSize = bytes("swaggersocket.limits.max-metadata-size", limits.getMaxMetadataSize(), 2,
				MAX_FRAME_SIZE.toBytes());
		int maxConnections = properties.getServer().getMaxConnections();
		if (maxConnections < -1) {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.server.max-connections", maxConnections,
					"must be -1 (no limit) or at least 0");
		}
		int maxWindow = bytes("swaggersocket.limits.max-window", limits.getMaxWindow(), 1, Integer.MAX_VALUE);
		return new ConnectionOptions(settings, limits.getHandshakeTimeout(), heartbeat.getInterval(),
				heartbeat.getTimeout(), maxMetadataSize, drainTimeout(environment), maxConnections, maxWindow,
				properties.getSpreadHandling());
	}

	/**
	 * The largest WebSocket message a session over a stream receives.
	 * @param properties the properties
	 * @return the size in bytes
	 */
	static int webSocketMaxMessageSize(SwaggerSocketProperties properties) {
		return bytes("swaggersocket.websocket.max-message-size", properties.getWebsocket().getMaxMessageSize(), 1,
				Integer.MAX_VALUE - 8);
	}

	/**
	 * In-flight streams get most of Spring's shutdown phase timeout, so that the
	 * connections close before the lifecycle processor gives up on the phase.
	 */
	static Duration drainTimeout(Environment environment) {
		Duration phase = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class,
				ConnectionOptions.DEFAULT_DRAIN_TIMEOUT);
		return phase.multipliedBy(9).dividedBy(10);
	}

	static ReconnectPolicy reconnectPolicy(SwaggerSocketProperties.Reconnect reconnect) {
		positive("swaggersocket.client.reconnect.initial-backoff", reconnect.getInitialBackoff());
		if (reconnect.getMaxBackoff().compareTo(reconnect.getInitialBackoff()) < 0) {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.client.reconnect.max-backoff",
					reconnect.getMaxBackoff(),
					"must not be shorter than swaggersocket.client.reconnect.initial-backoff");
		}
		if (reconnect.getJitter() < 0 || reconnect.getJitter() > 1) {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.client.reconnect.jitter",
					reconnect.getJitter(), "must be between 0 and 1");
		}
		return new ReconnectPolicy(reconnect.getInitialBackoff(), reconnect.getMaxBackoff(), reconnect.getJitter());
	}

	static URI clientUrl(@Nullable URI url) {
		if (url == null || url.getHost() == null
				|| !("ws".equalsIgnoreCase(url.getScheme()) || "wss".equalsIgnoreCase(url.getScheme()))) {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.client.url", url,
					"must be a ws:// or wss:// URL with a host");
		}
		return url;
	}

	/**
	 * The paths peers may not reach: the configured ones, and the actuator's below the
	 * application's WebFlux base path unless that exclusion is switched off.
	 */
	static List<String> excludedPaths(SwaggerSocketProperties.Expose expose, Environment environment) {
		List<String> exclude = new ArrayList<>(expose.getExclude());
		if (expose.isExcludeActuator()) {
			String basePath = trimSlash(environment.getProperty("spring.webflux.base-path", ""))
					+ trimSlash(environment.getProperty("management.endpoints.web.base-path", "/actuator"));
			exclude.add(basePath + "/**");
		}
		return exclude;
	}

	/**
	 * The configured routes, each checked: a path pattern and an http(s) URI are
	 * required, timeouts must be positive.
	 */
	static List<SwaggerSocketRoute> routes(List<SwaggerSocketProperties.Route> routes) {
		List<SwaggerSocketRoute> checked = new ArrayList<>();
		for (int i = 0; i < routes.size(); i++) {
			SwaggerSocketProperties.Route route = routes.get(i);
			String name = "swaggersocket.client.routes[" + i + "]";
			String path = route.getPath();
			if (path == null || !path.startsWith("/")) {
				throw new InvalidConfigurationPropertyValueException(name + ".path", path,
						"must be a path pattern such as /device/**");
			}
			URI uri = route.getUri();
			if (uri == null || uri.getHost() == null
					|| !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
					|| uri.getRawQuery() != null || uri.getRawFragment() != null) {
				throw new InvalidConfigurationPropertyValueException(name + ".uri", uri,
						"must be an http:// or https:// URI with a host and no query");
			}
			positive(name + ".connect-timeout", route.getConnectTimeout());
			positive(name + ".response-timeout", route.getResponseTimeout());
			checked.add(new SwaggerSocketRoute(path, uri, route.isStripPrefix(), route.getConnectTimeout(),
					route.getResponseTimeout(), route.isPreserveHost()));
		}
		return checked;
	}

	static String gatewayPrefix(String prefix) {
		return plainPath("swaggersocket.server.gateway.prefix", prefix, "/peers");
	}

	static String clusterPath(String path) {
		return plainPath("swaggersocket.cluster.path", path, "/swaggersocket-cluster");
	}

	private static String plainPath(String property, String path, String example) {
		String trimmed = trimSlash(path);
		if (trimmed.isEmpty() || trimmed.contains("*") || trimmed.contains("{")) {
			throw new InvalidConfigurationPropertyValueException(property, path,
					"must be a plain path such as " + example);
		}
		return trimmed;
	}

	private static String trimSlash(String path) {
		String trimmed = StringUtils.trimTrailingCharacter(path.trim(), '/');
		return (trimmed.isEmpty() || trimmed.startsWith("/")) ? trimmed : "/" + trimmed;
	}

	private static void positive(String name, Duration value) {
		if (value.isZero() || value.isNegative()) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be positive");
		}
	}

	private static int atLeastOne(String name, int value) {
		if (value < 1) {
			throw new InvalidConfigurationPropertyValueException(name, value, "must be at least 1");
		}
		return value;
	}

	private static int bytes(String name, DataSize value, long min, long max) {
		if (value.toBytes() < min || value.toBytes() > max) {
			throw new InvalidConfigurationPropertyValueException(name, value,
					"must be from " + min + " to " + max + " bytes");
		}
		return (int) value.toBytes();
	}

}
