package io.swaggersocket.connection;

/**
 * A call failed because its connection closed or failed before or while it was in flight.
 * Whether the peer processed the request is unknown, unless the call had not been sent
 * yet.
 */
public class SwaggerSocketConnectionClosedException extends RuntimeException {

	private final boolean orderly;

	/**
	 * Create an exception.
	 * @param message what happened to the connection
	 */
	public SwaggerSocketConnectionClosedException(String message) {
		this(message, false);
	}

	/**
	 * Create an exception.
	 * @param message what happened to the connection
	 * @param orderly whether the connection was closed in an orderly way (a close or a
	 * graceful shutdown) rather than failed or lost
	 */
	public SwaggerSocketConnectionClosedException(String message, boolean orderly) {
		super(message);
		this.orderly = orderly;
	}

	/**
	 * Whether the connection was closed in an orderly way (a close or a graceful
	 * shutdown) rather than failed or lost.
	 * @return {@code true} for an orderly close
	 */
	public boolean isOrderly() {
		return this.orderly;
	}

}
