package io.swaggersocket.connection;

import java.time.Duration;

/**
 * What every connection of this application shares: its declared settings, timeouts and
 * limits.
 *
 * @param settings the limits this side declares in the handshake
 * @param handshakeTimeout how long the handshake may take before the connection is closed
 * with 4000
 * @param heartbeatInterval how often to ping the peer
 * @param heartbeatTimeout how long the peer may stay silent before the connection fails
 * with 4004
 * @param maxMetadataSize the largest HELLO payload the server accepts, in bytes
 * @param drainTimeout how long in-flight streams may take to finish on shutdown
 * @param maxConnections how many connections the server accepts at once, -1 for no limit
 * @param maxWindow how far the stream and connection windows may grow beyond the declared
 * ones from the measured bandwidth-delay product, in bytes; no larger than the declared
 * windows: they do not grow
 * @param spreadHandling whether the peer's requests are handled on all of the transport's
 * event loops rather than on their connection's one, or only while the connection's loop
 * is busy
 */
public record ConnectionOptions(ConnectionSettings settings, Duration handshakeTimeout, Duration heartbeatInterval,
		Duration heartbeatTimeout, int maxMetadataSize, Duration drainTimeout, int maxConnections, int maxWindow,
		SpreadHandling spreadHandling) {

	/** The largest window when none is given. */
	public static final int DEFAULT_MAX_WINDOW = 64 * 1024 * 1024;

	/** Where requests are handled when nothing is said. */
	public static final SpreadHandling DEFAULT_SPREAD_HANDLING = SpreadHandling.OFF;

	/** The drain timeout when none is given: Spring's default shutdown phase timeout. */
	public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Create options with the default drain timeout and no connection limit.
	 * @param settings the limits this side declares in the handshake
	 * @param handshakeTimeout how long the handshake may take
	 * @param heartbeatInterval how often to ping the peer
	 * @param heartbeatTimeout how long the peer may stay silent
	 * @param maxMetadataSize the largest HELLO payload the server accepts
	 */
	public ConnectionOptions(ConnectionSettings settings, Duration handshakeTimeout, Duration heartbeatInterval,
			Duration heartbeatTimeout, int maxMetadataSize) {
		this(settings, handshakeTimeout, heartbeatInterval, heartbeatTimeout, maxMetadataSize, DEFAULT_DRAIN_TIMEOUT,
				-1);
	}

	/**
	 * Create options whose windows grow up to {@link #DEFAULT_MAX_WINDOW}.
	 * @param settings the limits this side declares in the handshake
	 * @param handshakeTimeout how long the handshake may take
	 * @param heartbeatInterval how often to ping the peer
	 * @param heartbeatTimeout how long the peer may stay silent
	 * @param maxMetadataSize the largest HELLO payload the server accepts
	 * @param drainTimeout how long in-flight streams may take to finish on shutdown
	 * @param maxConnections how many connections the server accepts at once, -1 for no
	 * limit
	 */
	public ConnectionOptions(ConnectionSettings settings, Duration handshakeTimeout, Duration heartbeatInterval,
			Duration heartbeatTimeout, int maxMetadataSize, Duration drainTimeout, int maxConnections) {
		this(settings, handshakeTimeout, heartbeatInterval, heartbeatTimeout, maxMetadataSize, drainTimeout,
				maxConnections, DEFAULT_MAX_WINDOW, DEFAULT_SPREAD_HANDLING);
	}

	/**
	 * Create options that spread the handling of requests as
	 * {@link #DEFAULT_SPREAD_HANDLING}.
	 * @param settings the limits this side declares in the handshake
	 * @param handshakeTimeout how long the handshake may take
	 * @param heartbeatInterval how often to ping the peer
	 * @param heartbeatTimeout how long the peer may stay silent
	 * @param maxMetadataSize the largest HELLO payload the server accepts
	 * @param drainTimeout how long in-flight streams may take to finish on shutdown
	 * @param maxConnections how many connections the server accepts at once, -1 for no
	 * limit
	 * @param maxWindow how far the windows may grow
	 */
	public ConnectionOptions(ConnectionSettings settings, Duration handshakeTimeout, Duration heartbeatInterval,
			Duration heartbeatTimeout, int maxMetadataSize, Duration drainTimeout, int maxConnections, int maxWindow) {
		this(settings, handshakeTimeout, heartbeatInterval, heartbeatTimeout, maxMetadataSize, drainTimeout,
				maxConnections, maxWindow, DEFAULT_SPREAD_HANDLING);
	}

	public ConnectionOptions {
		if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
			throw new IllegalArgumentException("heartbeat interval must be positive");
		}
		if (heartbeatTimeout.compareTo(heartbeatInterval) < 0) {
			throw new IllegalArgumentException("heartbeat timeout must not be shorter than the interval");
		}
	}

}
