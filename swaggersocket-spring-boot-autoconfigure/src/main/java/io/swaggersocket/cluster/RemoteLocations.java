package io.swaggersocket.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * Locations of other hubs' connections, each reused for a short while after the look-up
 * that found it, so that calls to a remote agent do not each wait for Redis. Bounded: the
 * oldest entry goes when a new one would exceed the bound. Only found locations are kept
 * (a connection that appears is found at once).
 *
 * <p>
 * A stale entry (the connection moved or ended meanwhile) never reaches a wrong agent:
 * the hub it names checks that it holds the connection and answers 421 otherwise, and the
 * caller then looks up again with {@link RedisConnectionDirectory#locate(String)}, which
 * reads Redis and replaces or forgets the entry.
 */
final class RemoteLocations {

	/** The longest an entry is reused; a cluster's refresh interval shortens it. */
	static final Duration MAX_TIME_TO_LIVE = Duration.ofSeconds(1);

	/** The most entries kept. */
	static final int MAX_ENTRIES = 10_000;

	private final long timeToLiveNanos;

	private final int maxEntries;

	private final LongSupplier clock;

	private final Map<String, Entry> entries;

	/**
	 * Create a cache.
	 * @param timeToLive how long an entry is reused
	 * @param maxEntries the most entries kept
	 * @param clock nanoseconds, as {@link System#nanoTime()}
	 */
	RemoteLocations(Duration timeToLive, int maxEntries, LongSupplier clock) {
		this.timeToLiveNanos = timeToLive.toNanos();
		this.maxEntries = maxEntries;
		this.clock = clock;
		// insertion order: re-put moves an entry to the end (put after remove), so the
		// eldest is the one looked up longest ago
		this.entries = new LinkedHashMap<>(16, 0.75f, false) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
				return size() > RemoteLocations.this.maxEntries;
			}

		};
	}

	/**
	 * Return the cache a cluster with this refresh interval uses: entries live for the
	 * shorter of a second and the interval.
	 * @param refreshInterval the cluster's refresh interval
	 * @return the cache
	 */
	static RemoteLocations forRefreshInterval(Duration refreshInterval) {
		Duration timeToLive = (refreshInterval.compareTo(MAX_TIME_TO_LIVE) < 0) ? refreshInterval : MAX_TIME_TO_LIVE;
		return new RemoteLocations(timeToLive, MAX_ENTRIES, System::nanoTime);
	}

	/**
	 * Return the location of a connection, if one was found recently enough.
	 * @param connectionId the connection id
	 * @return the location, or {@code null}
	 */
	synchronized @Nullable ConnectionLocation get(String connectionId) {
		Entry entry = this.entries.get(connectionId);
		if (entry == null) {
			return null;
		}
		if (this.clock.getAsLong() - entry.expiresAt() >= 0) {
			this.entries.remove(connectionId);
			return null;
		}
		return entry.location();
	}

	/**
	 * Keep a location just found.
	 * @param location the location
	 */
	void put(ConnectionLocation location) {
		put(location, this.timeToLiveNanos);
	}

	/**
	 * Keep a location for a given time (tests make an entry stale this way).
	 * @param location the location
	 * @param timeToLiveNanos how long to reuse it
	 */
	synchronized void put(ConnectionLocation location, long timeToLiveNanos) {
		this.entries.remove(location.connectionId());
		this.entries.put(location.connectionId(), new Entry(location, this.clock.getAsLong() + timeToLiveNanos));
	}

	/**
	 * Forget a connection's location: a fresh look-up found none.
	 * @param connectionId the connection id
	 */
	synchronized void remove(String connectionId) {
		this.entries.remove(connectionId);
	}

	long timeToLiveNanos() {
		return this.timeToLiveNanos;
	}

	synchronized int size() {
		return this.entries.size();
	}

	private record Entry(ConnectionLocation location, long expiresAt) {
	}

}
