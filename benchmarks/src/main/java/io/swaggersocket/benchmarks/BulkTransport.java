package io.swaggersocket.benchmarks;

import reactor.core.publisher.Mono;

/**
 * One way of moving a large body to a peer and back.
 */
interface BulkTransport {

	/**
	 * Return the name shown in the report.
	 * @return the name
	 */
	String name();

	/**
	 * Receive a body of the given size from the peer.
	 * @param size the size in bytes
	 * @return completes with the number of bytes received
	 */
	Mono<Long> download(long size);

	/**
	 * Send a body of the given size to the peer.
	 * @param size the size in bytes
	 * @return completes with the number of bytes the peer counted
	 */
	Mono<Long> upload(long size);

	/**
	 * Whether the caller is the server end of the connection the bytes travel on (the hub
	 * calling an agent). It decides which way bytes flow, which matters because a
	 * WebSocket client masks every byte it sends (RFC 6455, section 5.3) and a server
	 * does not.
	 * @return {@code true} if the caller accepted the connection
	 */
	default boolean callerIsServer() {
		return false;
	}

	/**
	 * Return which way the body's bytes cross the connection.
	 * @param direction {@code download} or {@code upload}
	 * @return {@link #TO_CLIENT} or {@link #TO_SERVER}
	 */
	default String flow(String direction) {
		return ("download".equals(direction) != callerIsServer()) ? TO_CLIENT : TO_SERVER;
	}

	/** Bytes sent by the end that accepted the connection. */
	String TO_CLIENT = "server→client";

	/** Bytes sent by the end that dialed the connection (masked on a WebSocket). */
	String TO_SERVER = "client→server";

}
