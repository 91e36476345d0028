package io.swaggersocket.test;

/**
 * Finds the exception that started a chain, below WebClient's and Reactor's wrappers.
 */
public final class Causes {

	private Causes() {
	}

	public static Throwable root(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

}
