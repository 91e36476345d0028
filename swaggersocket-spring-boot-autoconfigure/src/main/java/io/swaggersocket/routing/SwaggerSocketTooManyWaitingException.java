package io.swaggersocket.routing;

/**
 * A call would have waited for a matching connection, but as many calls as
 * {@code swaggersocket.routing.max-waiting} allows wait already. The call reached no
 * peer.
 */
public class SwaggerSocketTooManyWaitingException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message what happened
	 */
	public SwaggerSocketTooManyWaitingException(String message) {
		super(message);
	}

}
