package io.swaggersocket.routing;

/**
 * How a call by selector picks one of the matching connections.
 */
public enum LoadBalancing {

	/**
	 * Each call takes the next matching connection, in turn.
	 */
	ROUND_ROBIN,

	/**
	 * Each call takes the matching connection with the fewest streams open (for a
	 * connection another hub holds: the fewest calls this hub has in flight to it); ties
	 * are taken in turn.
	 */
	LEAST_ACTIVE_STREAMS

}
