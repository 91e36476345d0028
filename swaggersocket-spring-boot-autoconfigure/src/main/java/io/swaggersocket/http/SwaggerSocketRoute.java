package io.swaggersocket.http;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * A route of an agent to a local upstream service: requests that arrive over the agent's
 * SwaggerSocket connection and match {@link #path()} are forwarded to {@link #uri()}.
 *
 * @param path the path pattern to match, for example {@code /device/**}
 * @param uri the upstream's base URI, {@code http} or {@code https}; its path, if any,
 * goes before the forwarded path
 * @param stripPrefix whether to remove the pattern's literal leading segments (those
 * before its first wildcard or variable, {@code /device} for {@code /device/**}) from the
 * forwarded path
 * @param connectTimeout how long to wait for a connection to the upstream
 * @param responseTimeout how long to wait for the upstream's response head, from the
 * moment the request is sent; the body then streams without a limit
 * @param preserveHost whether the upstream sees the caller's {@code Host} rather than the
 * one of {@link #uri()}
 */
public record SwaggerSocketRoute(String path, URI uri, boolean stripPrefix, Duration connectTimeout,
		Duration responseTimeout, boolean preserveHost) {

	/**
	 * Check the route: a path that starts with {@code /}, an absolute http(s) URI with a
	 * host, and positive timeouts.
	 */
	public SwaggerSocketRoute {
		if (!path.startsWith("/")) {
			throw new IllegalArgumentException("The path of a route must start with '/': " + path);
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
			throw new IllegalArgumentException("The uri of route " + path + " must be an http or https URI: " + uri);
		}
		if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
			throw new IllegalArgumentException("The uri of route " + path + " may have no query or fragment: " + uri);
		}
		if (connectTimeout.isNegative() || connectTimeout.isZero() || responseTimeout.isNegative()
				|| responseTimeout.isZero()) {
			throw new IllegalArgumentException("The timeouts of route " + path + " must be positive");
		}
	}

}
