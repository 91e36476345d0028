package io.swaggersocket.connection;

/**
 * Published when a connection ended in an orderly way (WebSocket close 1000 or 1001),
 * whichever side closed it. The connection has left the registry already.
 */
public class SwaggerSocketClosedEvent extends SwaggerSocketConnectionEvent {

	private final int closeCode;

	private final boolean closedLocally;

	/**
	 * Create an event.
	 * @param connection the connection that closed
	 * @param closeCode the WebSocket close code
	 * @param closedLocally whether this application closed it
	 */
	public SwaggerSocketClosedEvent(SwaggerSocketConnection connection, int closeCode, boolean closedLocally) {
		super(connection);
		this.closeCode = closeCode;
		this.closedLocally = closedLocally;
	}

	/**
	 * Return the WebSocket close code.
	 * @return the close code
	 */
	public int getCloseCode() {
		return this.closeCode;
	}

	/**
	 * Whether this application closed the connection (rather than the peer).
	 * @return {@code true} if closed locally
	 */
	public boolean isClosedLocally() {
		return this.closedLocally;
	}

}
