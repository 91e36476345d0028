package io.swaggersocket.cluster;

/**
 * The shared directory cannot be consulted (Redis is down or unreachable), so a
 * connection held by another hub can neither be found nor reached. Calls to this hub's
 * own connections keep working.
 */
public class SwaggerSocketClusterUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message the detail message
	 * @param cause the directory's failure
	 */
	public SwaggerSocketClusterUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
