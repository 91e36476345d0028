package io.swaggersocket.autoconfigure;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * The URL other hubs reach this hub at: {@code swaggersocket.cluster.advertised-url} if
 * set, else {@code http} ({@code https} with {@code server.ssl}) on
 * {@code server.address} (or this host's address when it is unset or a wildcard) and the
 * port the web server listens on, known once it has started.
 */
final class ClusterHubUrl implements Supplier<URI>, ApplicationListener<WebServerInitializedEvent> {

	private final @Nullable URI advertisedUrl;

	private final Environment environment;

	private volatile int port = -1;

	ClusterHubUrl(@Nullable URI advertisedUrl, Environment environment) {
		this.advertisedUrl = advertisedUrl;
		this.environment = environment;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		// the management server, if on its own port, is not where hubs forward calls
		String namespace = event.getApplicationContext().getServerNamespace();
		if (namespace == null || namespace.isEmpty()) {
			this.port = event.getWebServer().getPort();
		}
	}

	@Override
	public URI get() {
		if (this.advertisedUrl != null) {
			return this.advertisedUrl;
		}
		int port = this.port;
		if (port < 0) {
			throw new IllegalStateException("The web server has not started: set swaggersocket.cluster.advertised-url");
		}
		Ssl ssl = Binder.get(this.environment).bind("server.ssl", Ssl.class).orElse(null);
		String scheme = Ssl.isEnabled(ssl) ? "https" : "http";
		return URI.create(scheme + "://" + host() + ":" + port);
	}

	private String host() {
		InetAddress address = Binder.get(this.environment).bind("server.address", InetAddress.class).orElse(null);
		if (address == null || address.isAnyLocalAddress()) {
			address = thisHost();
		}
		String host = address.getHostAddress();
		return (host.indexOf(':') >= 0) ? "[" + host + "]" : host;
	}

	/**
	 * This host's address as other machines reach it: the host name's address, unless
	 * that is a loopback address (as Debian maps its host name to 127.0.1.1), then the
	 * first site-local address of an interface that is up.
	 */
	private static InetAddress thisHost() {
		InetAddress local;
		try {
			local = InetAddress.getLocalHost();
		}
		catch (UnknownHostException ex) {
			local = InetAddress.getLoopbackAddress();
		}
		if (!local.isLoopbackAddress()) {
			return local;
		}
		try {
			for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
				if (networkInterface.isUp() && !networkInterface.isLoopback()) {
					for (InetAddress candidate : Collections.list(networkInterface.getInetAddresses())) {
						if (candidate.isSiteLocalAddress()) {
							return candidate;
						}
					}
				}
			}
		}
		catch (SocketException ex) {
			// keep the loopback address: set swaggersocket.cluster.advertised-url
		}
		return local;
	}

}
