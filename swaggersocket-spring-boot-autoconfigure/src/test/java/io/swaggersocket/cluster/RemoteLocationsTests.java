package io.swaggersocket.cluster;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache of other hubs' connection locations: entries expire, the cache is bounded and
 * forgets the oldest first, and its lifetime is the shorter of a second and the refresh
 * interval.
 */
class RemoteLocationsTests {

	private final AtomicLong now = new AtomicLong();

	@Test
	void anEntryIsAnsweredUntilItsTimeToLiveHasPassed() {
		RemoteLocations cache = new RemoteLocations(Duration.ofSeconds(1), 10, this.now::get);
		cache.put(location("x"));

		this.now.addAndGet(Duration.ofMillis(999).toNanos());
		assertThat(cache.get("x")).isEqualTo(location("x"));
		this.now.addAndGet(Duration.ofMillis(1).toNanos());
		assertThat(cache.get("x")).isNull();
		assertThat(cache.size()).isZero();
	}

	@Test
	void theCacheIsBoundedAndForgetsTheOldestEntryFirst() {
		RemoteLocations cache = new RemoteLocations(Duration.ofSeconds(1), RemoteLocations.MAX_ENTRIES, this.now::get);
		for (int i = 0; i <= RemoteLocations.MAX_ENTRIES; i++) {
			cache.put(location("id-" + i));
		}

		assertThat(cache.size()).isEqualTo(RemoteLocations.MAX_ENTRIES);
		assertThat(cache.get("id-0")).isNull();
		assertThat(cache.get("id-1")).isNotNull();
		assertThat(cache.get("id-" + RemoteLocations.MAX_ENTRIES)).isNotNull();
	}

	@Test
	void aLocationPutAgainIsTheNewestAndReplacesTheOldOne() {
		RemoteLocations cache = new RemoteLocations(Duration.ofSeconds(1), 2, this.now::get);
		cache.put(location("a"));
		cache.put(location("b"));
		ConnectionLocation moved = new ConnectionLocation("a", Map.of(), "hub-2", URI.create("http://hub-2"),
				Instant.EPOCH, false);
		cache.put(moved);
		cache.put(location("c"));

		assertThat(cache.get("a")).isEqualTo(moved);
		assertThat(cache.get("b")).isNull();
	}

	@Test
	void entriesLiveForTheShorterOfASecondAndTheRefreshInterval() {
		assertThat(lifetime(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(1));
		assertThat(lifetime(Duration.ofMillis(300))).isEqualTo(Duration.ofMillis(300));
	}

	private Duration lifetime(Duration refreshInterval) {
		RemoteLocations cache = RemoteLocations.forRefreshInterval(refreshInterval);
		return Duration.ofNanos(cache.timeToLiveNanos());
	}

	private static ConnectionLocation location(String id) {
		return new ConnectionLocation(id, Map.of(), "hub-1", URI.create("http://hub-1"), Instant.EPOCH, false);
	}

}
