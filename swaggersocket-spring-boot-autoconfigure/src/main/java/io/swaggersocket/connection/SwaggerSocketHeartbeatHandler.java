package io.swaggersocket.connection;

import java.time.Duration;

/**
 * Customizes the heartbeat, as the seed's ping/pong handlers and application data did.
 * Declare a bean to use it; all methods have defaults. Called on I/O threads: do not
 * block.
 */
public interface SwaggerSocketHeartbeatHandler {

	/** Empty pings, no callbacks. */
	SwaggerSocketHeartbeatHandler DEFAULT = new SwaggerSocketHeartbeatHandler() {
	};

	/**
	 * Return the payload of the next ping (at most 125 bytes; longer payloads are not
	 * sent).
	 * @param connection the connection about to be pinged
	 * @return the payload, empty by default
	 */
	default byte[] pingPayload(ConnectionInfo connection) {
		return new byte[0];
	}

	/**
	 * Called when the peer pinged; the pong with the same payload is sent regardless.
	 * @param connection the connection
	 * @param payload the ping's payload
	 */
	default void onPing(ConnectionInfo connection, byte[] payload) {
	}

	/**
	 * Called when the peer answered a ping.
	 * @param connection the connection
	 * @param payload the pong's payload
	 * @param roundTrip the time since the last ping was sent
	 */
	default void onPong(ConnectionInfo connection, byte[] payload, Duration roundTrip) {
	}

}
