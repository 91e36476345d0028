package io.swaggersocket.connection;

/**
 * Where the requests the peer sends are handled: on the event loop that reads their
 * connection, or handed in turn to that loop and the ones after it in the transport's
 * group, no more loops than processors, so that one busy connection can use every core
 * (at the cost of a hand-off per request).
 */
public enum SpreadHandling {

	/** Every request is handled on its connection's event loop. */
	OFF,

	/**
	 * Every request is handed to the connection's event loop or one of the loops after it
	 * in the transport's group, in turn, no more loops than processors.
	 */
	ON,

	/**
	 * A request is handled on its connection's event loop while fewer than
	 * {@link #INLINE_LIMIT} of the connection's requests are being handled there, and is
	 * handed off as with {@link #ON} beyond that: no hand-off at low load, every core
	 * under load.
	 */
	WHEN_BUSY;

	/**
	 * How many of a connection's requests {@link #WHEN_BUSY} handles on the connection's
	 * own event loop at once.
	 */
	public static final int INLINE_LIMIT = 2;

}
