package io.swaggersocket.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
final class RedisDirectoryLookUps {

	private static final int BATCH = 256;

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
			.flatMap((entry) -> command(this.redis.opsForValue().get(this.keys.hub(entry.hubId())))
				.mapNotNull(DirectoryJson::parseHub)
				.map((hub) -> location(entry, hub)));
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
		List<String> hubIds = entries.stream().map(ConnectionEntry::hubId).distinct().toList();
		return command(this.redis.opsForValue().multiGet(hubIds.stream().map(this.keys::hub).toList()))
			.flatMapMany((hubJson) -> {
				Map<String, HubEntry> hubs = new HashMap<>();
				for (int i = 0; i < hubIds.size() && i < hubJson.size(); i++) {
					String one = hubJson.get(i);
					HubEntry hub = (one != null) ? DirectoryJson.parseHub(one) : null;
					if (hub != null) {
						hubs.put(hubIds.get(i), hub);
					}
				}
				List<ConnectionLocation> locations = new ArrayList<>();
				for (ConnectionEntry entry : entries) {
					HubEntry hub = hubs.get(entry.hubId());
					if (hub != null) {
						locations.add(location(entry, hub));
					}
				}
				return Flux.fromIterable(locations);
			});
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

}
