package io.swaggersocket.routing;

import java.time.Duration;

/**
 * How calls by selector choose a connection, retry and wait. The defaults come from
 * {@code swaggersocket.routing.*}; each selector-bound client may have its own.
 *
 * @param loadBalancing how one of the matching connections is picked
 * @param maxAttempts the most connections one call is tried on (1: no retry); only calls
 * that are safe to retry are retried (see the README's retry rules)
 * @param waitTimeout how long a call waits for a matching connection when there is none
 * ({@link Duration#ZERO}: it fails at once)
 */
public record RoutingOptions(LoadBalancing loadBalancing, int maxAttempts, Duration waitTimeout) {

	/**
	 * Round robin, up to 3 attempts, no waiting.
	 */
	public static final RoutingOptions DEFAULTS = new RoutingOptions(LoadBalancing.ROUND_ROBIN, 3, Duration.ZERO);

	/**
	 * Check the options.
	 * @param loadBalancing how one of the matching connections is picked
	 * @param maxAttempts the most connections one call is tried on, at least 1
	 * @param waitTimeout how long a call waits for a matching connection, not negative
	 */
	public RoutingOptions {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
		}
		if (waitTimeout.isNegative()) {
			throw new IllegalArgumentException("waitTimeout must not be negative, not " + waitTimeout);
		}
	}

	/**
	 * Return these options with another load balancing.
	 * @param loadBalancing how one of the matching connections is picked
	 * @return the options
	 */
	public RoutingOptions withLoadBalancing(LoadBalancing loadBalancing) {
		return new RoutingOptions(loadBalancing, this.maxAttempts, this.waitTimeout);
	}

	/**
	 * Return these options with another number of attempts.
	 * @param maxAttempts the most connections one call is tried on, at least 1
	 * @return the options
	 */
	public RoutingOptions withMaxAttempts(int maxAttempts) {
		return new RoutingOptions(this.loadBalancing, maxAttempts, this.waitTimeout);
	}

	/**
	 * Return these options with another wait.
	 * @param waitTimeout how long a call waits for a matching connection
	 * ({@link Duration#ZERO}: not at all)
	 * @return the options
	 */
	public RoutingOptions withWaitTimeout(Duration waitTimeout) {
		return new RoutingOptions(this.loadBalancing, this.maxAttempts, waitTimeout);
	}

}
