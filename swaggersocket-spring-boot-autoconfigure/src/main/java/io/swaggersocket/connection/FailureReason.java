package io.swaggersocket.connection;

/**
 * Why a connection failed.
 */
public enum FailureReason {

	/** Nothing arrived from the peer within the heartbeat timeout. */
	HEARTBEAT_TIMEOUT,

	/** One side broke the protocol; the close code tells which rule. */
	PROTOCOL_ERROR,

	/** The peer closed with a code that is not an orderly close. */
	CLOSED_BY_PEER_WITH_ERROR,

	/**
	 * The transport ended without a WebSocket close (process killed, network dropped).
	 */
	CONNECTION_LOST,

	/** This application failed while handling the connection. */
	INTERNAL_ERROR,

	/**
	 * Client role: the server closed the connection during the handshake (rejected by its
	 * validator, too many connections, or a handshake rule). The event's connection id is
	 * empty.
	 */
	HANDSHAKE_FAILED

}
