package io.swaggersocket.connection;

import java.time.Duration;

/**
 * What every connection of this application shares: its declared settings, timeouts and limits.
 *
 * @param settings the limits this side declares in the handshake
 * @param handshakeTimeout how long the handshake may take before the connection is closed with 4000
 * @param heartbeatInterval how often to ping the peer
 * @param heartbeatTimeout how long the peer may stay silent before the connection fails with 4004
 * @param maxMetadataSize the largest HELLO payload the server accepts, in bytes
 */
public record ConnectionOptions(ConnectionSettings settings, Duration handshakeTimeout, Duration heartbeatInterval,
		Duration heartbeatTimeout, int maxMetadataSize) {

	public ConnectionOptions {
		if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
			throw new IllegalArgumentException("heartbeat interval must be positive");
		}
		if (heartbeatTimeout.compareTo(heartbeatInterval) < 0) {
			throw new IllegalArgumentException("heartbeat timeout must not be shorter than the interval");
		}
	}

}
