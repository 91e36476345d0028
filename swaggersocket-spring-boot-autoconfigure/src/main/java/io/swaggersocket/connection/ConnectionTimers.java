package io.swaggersocket.connection;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The one timer of a {@link ConnectionManager}: a sweep over its live connections a few
 * times per heartbeat interval, which fires their handshake timeouts, checks their
 * heartbeat and sends their pings. A hub holding thousands of idle connections keeps one
 * periodic task instead of one per connection, and nothing runs while there is no
 * connection.
 *
 * <p>
 * Every deadline is checked at each tick, so it is met within one tick:
 * {@link #tick(ConnectionOptions)} is a tenth of the shorter of the heartbeat interval
 * and the handshake timeout, between 10 ms and 1 s.
 */
final class ConnectionTimers {

	private static final Log logger = LogFactory.getLog(ConnectionTimers.class);

	private static final Duration MIN_TICK = Duration.ofMillis(10);

	private static final Duration MAX_TICK = Duration.ofSeconds(1);

	private final Duration tick;

	private final Set<SocketConnection> connections = ConcurrentHashMap.newKeySet();

	private @Nullable Disposable sweeper;

	ConnectionTimers(ConnectionOptions options) {
		this.tick = tick(options);
	}

	/**
	 * The sweep's period for the given options.
	 * @param options the manager's options
	 * @return the period
	 */
	static Duration tick(ConnectionOptions options) {
		Duration shorter = (options.heartbeatInterval().compareTo(options.handshakeTimeout()) < 0)
				? options.heartbeatInterval() : options.handshakeTimeout();
		Duration tick = shorter.dividedBy(10);
		if (tick.compareTo(MIN_TICK) < 0) {
			return MIN_TICK;
		}
		return (tick.compareTo(MAX_TICK) > 0) ? MAX_TICK : tick;
	}

	/**
	 * Start sweeping a connection, from the start of its handshake.
	 * @param connection the connection
	 */
	synchronized void add(SocketConnection connection) {
		this.connections.add(connection);
		if (this.sweeper == null) {
			this.sweeper = Flux.interval(this.tick, this.tick, Schedulers.parallel())
				.subscribe((tick) -> sweep(), (ex) -> logger.error("Connection timers stopped", ex));
		}
	}

	/**
	 * Stop sweeping a connection that has ended; the sweep itself stops with the last
	 * one.
	 * @param connection the connection
	 */
	synchronized void remove(SocketConnection connection) {
		if (this.connections.remove(connection) && this.connections.isEmpty() && this.sweeper != null) {
			this.sweeper.dispose();
			this.sweeper = null;
		}
	}

	/**
	 * Return how many connections are swept.
	 * @return the number of connections
	 */
	int size() {
		return this.connections.size();
	}

	/**
	 * Return whether the periodic sweep is scheduled.
	 * @return whether it runs
	 */
	synchronized boolean isSweeping() {
		return this.sweeper != null;
	}

	private void sweep() {
		long now = System.nanoTime();
		for (SocketConnection connection : this.connections) {
			try {
				connection.tick(now);
			}
			catch (RuntimeException ex) {
				// one connection's fault (a heartbeat handler that throws, say) must not
				// stop the others' timers
				logger.error(connection.logPrefix() + "Timer failed", ex);
			}
		}
	}

}
