package io.swaggersocket.client;

import java.time.Duration;

/**
 * How the client waits between connection attempts: exponential backoff (doubling, as
 * Reactor's {@code Retry.backoff} does) from {@code initialBackoff} up to
 * {@code maxBackoff}, each delay randomized by {@code jitter}. The backoff starts over
 * after every successful handshake.
 *
 * @param initialBackoff the first delay
 * @param maxBackoff the longest delay
 * @param jitter the random share of each delay, from 0 to 1
 */
public record ReconnectPolicy(Duration initialBackoff, Duration maxBackoff, double jitter) {

	public ReconnectPolicy {
		if (initialBackoff.isNegative() || initialBackoff.isZero()) {
			throw new IllegalArgumentException("initialBackoff must be positive");
		}
		if (maxBackoff.compareTo(initialBackoff) < 0) {
			throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
		}
		if (jitter < 0 || jitter > 1) {
			throw new IllegalArgumentException("jitter must be between 0 and 1");
		}
	}

}
