package io.swaggersocket.connection;

/**
 * A call failed because its connection closed or failed before or while it was in flight.
 * Whether the peer processed the request is unknown, unless the call had not been sent
 * yet.
 */
public class SwaggerSocketConnectionClosedException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message what happened to the connection
	 */
	public SwaggerSocketConnectionClosedException(String message) {
		super(message);
	}

}
