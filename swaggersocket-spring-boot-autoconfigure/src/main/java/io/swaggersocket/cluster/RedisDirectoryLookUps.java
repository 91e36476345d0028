package io.swaggersocket.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.swaggersocket.cluster.DirectoryJson.ConnectionEntry;
import io.swaggersocket.cluster.DirectoryJson.HubEntry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The directory's reads of other hubs' entries. Never a scan of the keys: an index (a
 * sorted set scored by expiry) names the candidates, then their entries and their hubs'
 * entries are read in batches. An entry whose hub's entry has expired is dropped, and so
 * is one of this hub (this hub's own connections are answered from memory), and one whose
 * metadata no longer matches (an index may lag its entry).
 *
 * <p>
 * A hub's entry, once read, is reused for up to a second: a look-up then takes one round
 * trip instead of two. That cannot make a gone hub's connections visible for longer, as a
 * hub's connection entries go with it: withdrawn right after its entry, or expired a
 * moment after it (refreshed a moment later). Absent hubs are not cached. Look-ups that
 * find a hub's entry not cached at the same time (every connection of a hub looked up
 * when its entry expires) share one read of it.
 */
final class RedisDirectoryLookUps {

	private static final int BATCH = 256;

	private static final long HUB_CACHE_NANOS = Duration.ofSeconds(1).toNanos();

	/** As many hubs as a cluster could sensibly have; beyond, the cache starts over. */
	private static final int MAX_CACHED_HUBS = 1024;

	private final Map<String, CachedHub> hubs = new ConcurrentHashMap<>();

	/** Concurrent look-ups that find a hub's entry not cached share one read of it. */
	private final SharedReads<HubEntry> hubReads = new SharedReads<>(MAX_CACHED_HUBS);

	private final ReactiveStringRedisTemplate redis;

	private final RedisDirectoryKeys keys;

	private final String hubId;

	private final Duration commandTimeout;

	RedisDirectoryLookUps(ReactiveStringRedisTemplate redis, RedisDirectoryKeys keys, String hubId,
			Duration commandTimeout) {
		this.redis = redis;
		this.keys = keys;
		this.hubId = hubId;
		this.commandTimeout = commandTimeout;
	}

	Mono<ConnectionLocation> locate(String connectionId) {
		return command(this.redis.opsForValue().get(this.keys.connection(connectionId)))
			.mapNotNull(DirectoryJson::parseConnection)
			// an entry of this hub that is not live here is one being withdrawn
			.filter((entry) -> !entry.hubId().equals(this.hubId))
			.flatMap((entry) -> hub(entry.hubId()).map((hub) -> location(entry, hub)));
	}

	Flux<ConnectionLocation> find(String index, Predicate<Map<String, Object>> matches) {
		return liveMembers(index).flatMapMany((ids) -> Flux.fromIterable(ids).buffer(BATCH))
			.concatMap((batch) -> command(
					this.redis.opsForValue().multiGet(batch.stream().map(this.keys::connection).toList()))
				.flatMapMany((entries) -> withLiveHubs(entries, matches)));
	}

	Flux<RedisConnectionDirectory.Hub> hubs() {
		return liveMembers(this.keys.hubs()).flatMapMany((ids) -> Flux.fromIterable(ids).buffer(BATCH))
			.concatMap(
					(batch) -> command(this.redis.opsForValue().multiGet(batch.stream().map(this.keys::hub).toList()))
						.flatMapIterable((json) -> json.stream()
							.filter(Objects::nonNull)
							.map(DirectoryJson::parseHub)
							.filter(Objects::nonNull)
							.map((hub) -> new RedisConnectionDirectory.Hub(hub.hubId(), hub.url(), hub.startedAt()))
							.toList()));
	}

	private Flux<ConnectionLocation> withLiveHubs(List<@Nullable String> json, Predicate<Map<String, Object>> matches) {
		List<ConnectionEntry> entries = json.stream()
			.filter(Objects::nonNull)
			.map(DirectoryJson::parseConnection)
			.filter(Objects::nonNull)
			.filter((entry) -> !entry.hubId().equals(this.hubId) && matches.test(entry.metadata()))
			.toList();
		if (entries.isEmpty()) {
			return Flux.empty();
		}
		Map<String, HubEntry> known = new HashMap<>();
		List<String> unknown = new ArrayList<>();
		entries.stream().map(ConnectionEntry::hubId).distinct().forEach((hubId) -> {
			HubEntry cached = cached(hubId);
			if (cached != null) {
				known.put(hubId, cached);
			}
			else {
				unknown.add(hubId);
			}
		});
		Mono<Map<String, HubEntry>> hubs = unknown.isEmpty() ? Mono.just(known)
				: command(this.redis.opsForValue().multiGet(unknown.stream().map(this.keys::hub).toList()))
					.map((hubJson) -> {
						for (int i = 0; i < unknown.size() && i < hubJson.size(); i++) {
							String one = hubJson.get(i);
							HubEntry hub = (one != null) ? DirectoryJson.parseHub(one) : null;
							if (hub != null) {
								known.put(unknown.get(i), cache(unknown.get(i), hub));
							}
						}
						return known;
					});
		return hubs.flatMapMany((live) -> {
			List<ConnectionLocation> locations = new ArrayList<>();
			for (ConnectionEntry entry : entries) {
				HubEntry hub = live.get(entry.hubId());
				if (hub != null) {
					locations.add(location(entry, hub));
				}
			}
			return Flux.fromIterable(locations);
		});
	}

	private Mono<HubEntry> hub(String hubId) {
		HubEntry cached = cached(hubId);
		if (cached != null) {
			return Mono.just(cached);
		}
		return this.hubReads.read(hubId,
				() -> command(this.redis.opsForValue().get(this.keys.hub(hubId))).mapNotNull(DirectoryJson::parseHub)
					.map((hub) -> cache(hubId, hub)));
	}

	private @Nullable HubEntry cached(String hubId) {
		CachedHub cached = this.hubs.get(hubId);
		if (cached == null || System.nanoTime() - cached.expiresAt() >= 0) {
			return null;
		}
		return cached.hub();
	}

	private HubEntry cache(String hubId, HubEntry hub) {
		if (this.hubs.size() >= MAX_CACHED_HUBS) {
			this.hubs.clear();
		}
		this.hubs.put(hubId, new CachedHub(hub, System.nanoTime() + HUB_CACHE_NANOS));
		return hub;
	}

	/** The unexpired members of an index, pruning the expired ones. */
	private Mono<List<String>> liveMembers(String index) {
		return command(this.redis.execute(RedisDirectoryScripts.LIVE_MEMBERS, List.of(index), List.of()).next())
			.map((joined) -> Arrays.stream(joined.split("\n")).filter((id) -> !id.isEmpty()).toList())
			.defaultIfEmpty(List.of());
	}

	private static ConnectionLocation location(ConnectionEntry entry, HubEntry hub) {
		return new ConnectionLocation(entry.connectionId(), entry.metadata(), hub.hubId(), hub.url(),
				entry.connectedAt(), false);
	}

	private <T> Mono<T> command(Mono<T> command) {
		return command.timeout(this.commandTimeout);
	}

	private record CachedHub(HubEntry hub, long expiresAt) {
	}

}
