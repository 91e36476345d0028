package io.swaggersocket.cluster;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.swaggersocket.connection.ConnectionInfo;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.Lifecycles;
import io.swaggersocket.connection.SwaggerSocketClosedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionEvent;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The cluster's directory in Redis. This hub publishes its server-role connections (an
 * agent's id, metadata, this hub's id, connected-at) and itself (id, advertised URL,
 * started-at); every entry expires {@code entryTimeToLive} after the hub's last refresh,
 * so the entries of a hub that dies vanish on their own. Every refresh republishes
 * everything that is live and withdraws what this hub published and is no longer live, so
 * the first refresh after an outage of Redis puts the directory right again.
 *
 * <p>
 * Look-ups:
 * <ul>
 * <li>{@link #locate(String)} answers this hub's own connections from memory, without
 * Redis; for any other id it reads Redis and fails with
 * {@link SwaggerSocketClusterUnavailableException} if Redis does not answer within the
 * command timeout, and at once while the last write to Redis failed;
 * <li>{@link #findByMetadata(String, String)} and {@link #list()} emit this hub's own
 * matching connections first, from memory, then those of other hubs, read from Redis
 * through an index (never a scan of the keys); if Redis fails they end with
 * {@link SwaggerSocketClusterUnavailableException} after the local ones.
 * <li>{@link #locateForCall(String)}, which the gateway and the WebClients use, answers
 * as {@code locate} but reuses another hub's location for up to a second;
 * </ul>
 * An entry whose hub's own entry has expired is never returned. A hub's client-role
 * connections (those it dials itself) are not agents: they are neither published nor
 * returned.
 *
 * <p>
 * Writes are applied in order, one after the other, off the caller's thread; while Redis
 * is unreachable they are skipped (the next successful refresh republishes). On shutdown
 * the hub withdraws its entries before the {@link ConnectionManager} sends GOAWAY.
 */
public final class RedisConnectionDirectory
		implements ConnectionDirectory, SmartLifecycle, ApplicationListener<SwaggerSocketConnectionEvent> {

	/**
	 * Stops just before the {@link ConnectionManager}: agents are told to go away only
	 * once no other hub can find them here any more.
	 */
	public static final int PHASE = ConnectionManager.PHASE + 1;

	/** The default bound on one Redis command: look-ups fail fast when Redis is away. */
	public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

	private static final Log logger = LogFactory.getLog(RedisConnectionDirectory.class);

	/** Writes waiting for their turn; beyond it the next refresh catches up. */
	private static final int MAX_PENDING_WRITES = 10_000;

	private static final int CONCURRENCY = 16;

	/**
	 * As many selectors as calls could sensibly use at once; beyond, reads are not
	 * shared.
	 */
	private static final int MAX_SHARED_INDEXES = 1024;

	private final ReactiveStringRedisTemplate redis;

	private final SwaggerSocketConnections connections;

	private final String hubId;

	private final Supplier<URI> hubUrlSupplier;

	private final Duration timeToLive;

	private final Duration refreshInterval;

	private final Duration commandTimeout;

	private final RedisDirectoryKeys keys;

	private final RedisDirectoryLookUps lookUps;

	private final RemoteLocations remoteLocations;

	/** The look-ups for calls that found nothing kept, one read of Redis per id. */
	private final SharedReads<ConnectionLocation> callLookUps = new SharedReads<>(RemoteLocations.MAX_ENTRIES);

	/** The look-ups by metadata, one read of Redis per index at a time. */
	private final SharedReads<List<ConnectionLocation>> metadataLookUps = new SharedReads<>(MAX_SHARED_INDEXES);

	private final Instant startedAt = Instant.now();

	private final Object writeLock = new Object();

	/** Writes in order; buffered until start, a new one after each stop. */
	private Sinks.Many<Mono<Void>> writes = newWrites();

	private final AtomicBoolean refreshPending = new AtomicBoolean();

	private volatile @Nullable URI hubUrl;

	private volatile boolean running;

	/** Set once on stop (or halt): nothing is published any more. */
	private volatile boolean withdrawn;

	private volatile boolean available = true;

	private volatile @Nullable Instant lastRefresh;

	private volatile @Nullable String lastFailure;

	private volatile @Nullable Throwable lastFailureCause;

	private volatile @Nullable Disposable writer;

	/** Completes once the writer has ended, its last write done or cancelled. */
	private volatile Mono<Void> writerEnded = Mono.empty();

	private volatile @Nullable Disposable ticker;

	/**
	 * Create a directory.
	 * @param redis the Redis client
	 * @param connections this hub's registry of live connections
	 * @param hubId this hub's id
	 * @param hubUrl supplies the URL other hubs reach this hub at, asked once on start
	 * (when the web server's port is known)
	 * @param timeToLive how long an entry outlives the hub's last refresh
	 * @param refreshInterval how often the hub refreshes its entries
	 * @param keyPrefix the prefix of every key
	 * @param commandTimeout how long one Redis command may take before the directory
	 * counts Redis as unavailable
	 */
	public RedisConnectionDirectory(ReactiveStringRedisTemplate redis, SwaggerSocketConnections connections,
			String hubId, Supplier<URI> hubUrl, Duration timeToLive, Duration refreshInterval, String keyPrefix,
			Duration commandTimeout) {
		this.redis = redis;
		this.connections = connections;
		this.hubId = hubId;
		this.hubUrlSupplier = hubUrl;
		this.timeToLive = timeToLive;
		this.refreshInterval = refreshInterval;
		this.commandTimeout = commandTimeout;
		this.keys = new RedisDirectoryKeys(keyPrefix);
		this.lookUps = new RedisDirectoryLookUps(redis, this.keys, hubId, commandTimeout);
		this.remoteLocations = RemoteLocations.forRefreshInterval(refreshInterval);
	}

	@Override
	public String hubId() {
		return this.hubId;
	}

	/**
	 * Return the URL other hubs reach this hub at.
	 * @return the URL
	 */
	public URI hubUrl() {
		URI url = this.hubUrl;
		if (url == null) {
			url = this.hubUrlSupplier.get();
			this.hubUrl = url;
		}
		return url;
	}

	/**
	 * Return whether the last write to Redis succeeded, and when the last full refresh
	 * did.
	 * @return the status
	 */
	public Status status() {
		return new Status(this.available, this.lastRefresh, this.lastFailure);
	}

	@Override
	public Mono<ConnectionLocation> locate(String connectionId) {
		Optional<SwaggerSocketConnection> local = localConnection(connectionId);
		if (local.isPresent()) {
			return Mono.just(location(local.get()));
		}
		// what calls reuse is what Redis answered last
		return whileReachable(this.lookUps.locate(connectionId)).doOnNext(this.remoteLocations::put)
			.switchIfEmpty(Mono.fromRunnable(() -> this.remoteLocations.remove(connectionId)))
			.onErrorMap(this::unavailable);
	}

	/**
	 * Find a live connection by id for a call to it. Another hub's connection, once found
	 * in Redis, is answered again without Redis for the shorter of a second and the
	 * refresh interval (at most 10,000 ids, the oldest forgotten first); the hub it names
	 * answers 421 if the connection has left it, and the caller then looks up again with
	 * {@link #locate(String)}, which replaces or forgets the kept location. While Redis
	 * is unavailable nothing kept is answered: the look-up fails as any other would.
	 * <p>
	 * Calls that find nothing kept for the same id at the same time (before the first
	 * look-up, or when the kept location expires under load) share one read of Redis,
	 * whose answer they all get and which refills what is kept; a call that is cancelled
	 * does not cancel the read for the others, and a failed read is not kept. The fresh
	 * look-up after a 421 is {@link #locate(String)}, which shares no read: one that
	 * started before the 421 could still name the hub that sent it.
	 * @param connectionId the connection id
	 * @return the location, or empty if no live connection has that id
	 */
	@Override
	public Mono<ConnectionLocation> locateForCall(String connectionId) {
		return Mono.defer(() -> {
			if (localConnection(connectionId).isPresent()) {
				return locate(connectionId);
			}
			if (unreachable() == null) {
				ConnectionLocation kept = this.remoteLocations.get(connectionId);
				if (kept != null) {
					return Mono.just(kept);
				}
			}
			return this.callLookUps.read(connectionId, () -> locate(connectionId));
		});
	}

	/**
	 * Return the locations of other hubs' connections kept for reuse.
	 * @return the cache
	 */
	RemoteLocations remoteLocations() {
		return this.remoteLocations;
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * This hub's matching connections come first, from memory; other hubs' are read from
	 * Redis through the index of the pair. Look-ups of the same pair at the same time
	 * (the calls by one selector under load) share one read, whose answer each of them
	 * gets whole; nothing is kept once it ends.
	 */
	@Override
	public Flux<ConnectionLocation> findByMetadata(String key, String value) {
		Predicate<Map<String, Object>> matches = (metadata) -> metadata.containsKey(key)
				&& RedisDirectoryKeys.isIndexed(metadata.get(key)) && String.valueOf(metadata.get(key)).equals(value);
		// the index's key names the pair alone: its parts are URL-encoded
		String index = this.keys.metadata(key, value);
		Mono<List<ConnectionLocation>> remote = this.metadataLookUps.read(index,
				() -> this.lookUps.find(index, matches).collectList());
		return Flux.concat(local(matches),
				whileReachable(remote).flatMapIterable((locations) -> locations).onErrorMap(this::unavailable));
	}

	@Override
	public Flux<ConnectionLocation> list() {
		return Flux.concat(local((metadata) -> true),
				whileReachable(this.lookUps.find(this.keys.connections(), (metadata) -> true))
					.onErrorMap(this::unavailable));
	}

	/**
	 * Return the live hubs of the cluster, this one included, read from Redis through
	 * their index.
	 * @return the hubs' ids and URLs, in no particular order; fails with
	 * {@link SwaggerSocketClusterUnavailableException} if Redis does not answer
	 */
	public Flux<Hub> hubs() {
		return whileReachable(this.lookUps.hubs()).onErrorMap(this::unavailable);
	}

	private Flux<ConnectionLocation> local(Predicate<Map<String, Object>> matches) {
		return Flux.defer(() -> Flux.fromIterable(localConnections()))
			.filter((connection) -> matches.test(connection.info().metadata()))
			.map(this::location);
	}

	/**
	 * Fail at once while the last write failed: a look-up would only wait for its
	 * timeout, and commands sent meanwhile would pile up in the client's buffer until
	 * Redis is back. The next refresh (every refresh interval) probes Redis again.
	 */
	private <T> Mono<T> whileReachable(Mono<T> lookUp) {
		return Mono.defer(() -> {
			Throwable failure = unreachable();
			return (failure != null) ? Mono.error(unavailable(failure)) : lookUp;
		});
	}

	private <T> Flux<T> whileReachable(Flux<T> lookUp) {
		return Flux.defer(() -> {
			Throwable failure = unreachable();
			return (failure != null) ? Flux.error(unavailable(failure)) : lookUp;
		});
	}

	private @Nullable Throwable unreachable() {
		Throwable failure = this.lastFailureCause;
		return (!this.available) ? failure : null;
	}

	@Override
	public void onApplicationEvent(SwaggerSocketConnectionEvent event) {
		ConnectionInfo info = event.getInfo();
		if (info.role() != ConnectionRole.SERVER || info.id().isEmpty() || this.withdrawn) {
			return;
		}
		if (event instanceof SwaggerSocketConnectedEvent) {
			enqueue(() -> whileAvailable(publish(info)));
		}
		else if (event instanceof SwaggerSocketClosedEvent || event instanceof SwaggerSocketFailedEvent) {
			enqueue(() -> whileAvailable(withdraw(info.id(), info.metadata())));
		}
	}

	private Mono<Void> whileAvailable(Mono<Void> write) {
		if (!this.available) {
			// the next successful refresh publishes what is live then
			return Mono.empty();
		}
		return write.onErrorResume((ex) -> {
			failed(ex);
			return Mono.empty();
		});
	}

	/** Publish a connection, unless it has ended meanwhile (its withdrawal follows). */
	private Mono<Void> publish(ConnectionInfo info) {
		return Mono.defer(() -> {
			if (localConnection(info.id()).isEmpty()) {
				return Mono.empty();
			}
			List<String> keys = new ArrayList<>(List.of(this.keys.connection(info.id()),
					this.keys.hubConnections(this.hubId), this.keys.connections()));
			keys.addAll(this.keys.metadataIndexes(info.metadata()));
			String json = DirectoryJson.connection(info.id(), info.metadata(), this.hubId, info.connectedAt());
			return command(this.redis
				.execute(RedisDirectoryScripts.PUBLISH_CONNECTION, keys,
						List.of(json, String.valueOf(this.timeToLive.toMillis()), info.id()))
				.then());
		});
	}

	/**
	 * Withdraw a connection; without its metadata its index entries are left to expire
	 * (look-ups check the entry itself).
	 */
	private Mono<Void> withdraw(String connectionId, Map<String, Object> metadata) {
		List<String> keys = new ArrayList<>(List.of(this.keys.connection(connectionId),
				this.keys.hubConnections(this.hubId), this.keys.connections()));
		keys.addAll(this.keys.metadataIndexes(metadata));
		return command(
				this.redis.execute(RedisDirectoryScripts.WITHDRAW_CONNECTION, keys, List.of(connectionId)).then());
	}

	private Mono<Void> publishHub() {
		String json = DirectoryJson.hub(this.hubId, hubUrl(), this.startedAt);
		return command(this.redis
			.execute(RedisDirectoryScripts.PUBLISH_HUB,
					List.of(this.keys.hub(this.hubId), this.keys.hubs(), this.keys.hubConnections(this.hubId)),
					List.of(json, String.valueOf(this.timeToLive.toMillis()), this.hubId))
			.then());
	}

	/**
	 * Publish the hub and every live connection again (which refreshes their
	 * time-to-live), then withdraw what this hub published and is not live: connections
	 * that ended while Redis was away or while their withdrawal waited. The first failing
	 * command ends the refresh.
	 */
	Mono<Void> refresh() {
		return Mono.defer(() -> {
			List<SwaggerSocketConnection> live = localConnections();
			return publishHub()
				.thenMany(Flux.fromIterable(live).flatMap((connection) -> publish(connection.info()), CONCURRENCY))
				.then(command(this.redis.opsForSet().members(this.keys.hubConnections(this.hubId)).collectList()))
				.flatMapMany((published) -> Flux.fromIterable(published))
				.filter((id) -> localConnection(id).isEmpty())
				.flatMap((id) -> withdraw(id, Map.of()), CONCURRENCY)
				.then(Mono.<Void>fromRunnable(() -> refreshed(live.size())));
		}).onErrorResume((ex) -> {
			failed(ex);
			return Mono.empty();
		});
	}

	private void refreshed(int published) {
		this.lastRefresh = Instant.now();
		this.lastFailure = null;
		this.lastFailureCause = null;
		if (!this.available) {
			this.available = true;
			logger.info("Hub " + this.hubId + ": the cluster directory (Redis) answers again; republished " + published
					+ " connections");
		}
	}

	private void failed(Throwable ex) {
		String reason = describe(ex);
		this.lastFailure = reason;
		this.lastFailureCause = ex;
		if (this.available) {
			this.available = false;
			logger.warn("Hub " + this.hubId + ": the cluster directory (Redis) is unavailable (" + reason
					+ "); this hub's connections are not reachable from other hubs until it answers again");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Hub " + this.hubId + ": the cluster directory (Redis) is still unavailable (" + reason + ")");
		}
	}

	private void requestRefresh() {
		if (this.refreshPending.compareAndSet(false, true) && !enqueue(() -> {
			this.refreshPending.set(false);
			return refresh();
		})) {
			this.refreshPending.set(false);
		}
	}

	private boolean enqueue(Supplier<Mono<Void>> write) {
		Sinks.EmitResult result;
		synchronized (this.writeLock) {
			result = this.writes.tryEmitNext(Mono.defer(write));
		}
		if (result.isFailure()) {
			// the next refresh puts the directory right
			logger.debug("Hub " + this.hubId + ": directory write dropped (" + result + ")");
			return false;
		}
		return true;
	}

	@Override
	public void start() {
		URI url = hubUrl();
		Flux<Mono<Void>> writes;
		synchronized (this.writeLock) {
			if (this.writer != null) {
				// restarted after a stop or halt, whose writes were dropped with the old
				// queue
				this.writes = newWrites();
			}
			writes = this.writes.asFlux();
		}
		this.withdrawn = false;
		this.running = true;
		Sinks.Empty<Void> ended = Sinks.empty();
		this.writerEnded = ended.asMono();
		// on a thread of their own that may block, one at a time: Spring Data Redis sets
		// up its shared connection in the thread that subscribes, which must be neither
		// an event loop nor the ticker's (whose disposal on stop interrupts it); once
		// stopped, writes still queued are dropped, and only the one under way ends
		this.writer = writes.publishOn(Schedulers.boundedElastic(), 1)
			.concatMap((write) -> this.withdrawn ? Mono.<Void>empty() : write.onErrorResume((ex) -> {
				failed(ex);
				return Mono.empty();
			}), 0)
			.doFinally((signal) -> ended.tryEmitEmpty())
			.subscribe();
		this.ticker = Flux.interval(Duration.ZERO, this.refreshInterval, Schedulers.parallel())
			.subscribe((tick) -> requestRefresh());
		logger.info("Hub " + this.hubId + " at " + url + " publishes its connections to the cluster directory");
	}

	/**
	 * Withdraw this hub's entries, so that other hubs stop sending calls here before the
	 * connections get GOAWAY: the hub's own entry first (which hides all of its
	 * connections at once), then each connection's.
	 * <p>
	 * The write under way ends first, within a command's timeout, and the writes still
	 * queued are dropped. A write cancelled instead leaves Lettuce connecting or
	 * answering on its own, while the application goes on to shut the client down: the
	 * connection's failure then reaches nobody, and a connection Lettuce was setting up
	 * as its event loops stopped kept its read buffer unreleased.
	 * @param callback called once withdrawn or after a bounded wait
	 */
	@Override
	public void stop(Runnable callback) {
		this.running = false;
		this.withdrawn = true;
		dispose(this.ticker);
		Disposable writer = this.writer;
		if (writer != null) {
			// the next start makes a queue of its own; before any start, the writes
			// queued so far wait for it, as ever
			synchronized (this.writeLock) {
				this.writes.tryEmitComplete();
			}
		}
		Mono<Void> writeUnderWay = this.writerEnded.timeout(this.commandTimeout,
				Mono.fromRunnable(() -> dispose(writer)));
		String hubConnections = this.keys.hubConnections(this.hubId);
		List<ConnectionInfo> live = localConnections().stream().map(SwaggerSocketConnection::info).toList();
		Set<String> liveIds = live.stream().map(ConnectionInfo::id).collect(Collectors.toSet());
		writeUnderWay.then(command(this.redis.opsForSet().members(hubConnections).collectList()))
			.defaultIfEmpty(List.of())
			.flatMap((published) -> command(this.redis
				.execute(RedisDirectoryScripts.WITHDRAW_HUB,
						List.of(this.keys.hub(this.hubId), this.keys.hubs(), hubConnections), List.of(this.hubId))
				.then())
				.thenMany(Flux.concat(Flux.fromIterable(live).map((info) -> withdraw(info.id(), info.metadata())),
						Flux.fromIterable(published)
							.filter((id) -> !liveIds.contains(id))
							.map((id) -> withdraw(id, Map.of()))))
				.flatMap((withdrawal) -> withdrawal, CONCURRENCY)
				.then())
			.doOnSuccess((done) -> logger.info("Hub " + this.hubId + " withdrew from the cluster directory"))
			.onErrorResume((ex) -> {
				logger.warn("Hub " + this.hubId + " could not withdraw from the cluster directory (" + describe(ex)
						+ "); its entries expire within " + this.timeToLive);
				return Mono.empty();
			})
			.doFinally((signal) -> callback.run())
			.subscribe();
	}

	@Override
	public void stop() {
		// the write under way, then the withdrawal's three rounds of commands
		Lifecycles.awaitStop(this::stop, this.commandTimeout.multipliedBy(5));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Stop refreshing and publishing without withdrawing anything, as a hub killed with
	 * {@code kill -9} would: its entries expire on their own.
	 */
	void halt() {
		this.running = false;
		this.withdrawn = true;
		dispose(this.ticker);
		dispose(this.writer);
	}

	private static Sinks.Many<Mono<Void>> newWrites() {
		return Sinks.many().unicast().onBackpressureBuffer(new ArrayBlockingQueue<>(MAX_PENDING_WRITES));
	}

	private static void dispose(@Nullable Disposable disposable) {
		if (disposable != null) {
			disposable.dispose();
		}
	}

	private List<SwaggerSocketConnection> localConnections() {
		return this.connections.list()
			.stream()
			.filter((connection) -> connection.info().role() == ConnectionRole.SERVER)
			.toList();
	}

	private Optional<SwaggerSocketConnection> localConnection(String connectionId) {
		return this.connections.find(connectionId)
			.filter((connection) -> connection.info().role() == ConnectionRole.SERVER);
	}

	private ConnectionLocation location(SwaggerSocketConnection connection) {
		return LocalConnectionDirectory.location(connection, this.hubId, hubUrl());
	}

	private <T> Mono<T> command(Mono<T> command) {
		return command.timeout(this.commandTimeout);
	}

	private Throwable unavailable(Throwable ex) {
		if (ex instanceof SwaggerSocketClusterUnavailableException) {
			return ex;
		}
		return new SwaggerSocketClusterUnavailableException(
				"The cluster directory (Redis) is unavailable: " + describe(ex), ex);
	}

	private String describe(Throwable ex) {
		if (ex instanceof TimeoutException) {
			return "no answer within " + this.commandTimeout.toMillis() + " ms";
		}
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}

	/**
	 * A live hub of the cluster.
	 *
	 * @param hubId the hub's id
	 * @param url the URL other hubs reach it at
	 * @param startedAt when it started
	 */
	public record Hub(String hubId, URI url, Instant startedAt) {
	}

	/**
	 * The directory's own health.
	 *
	 * @param available whether the last write to Redis succeeded
	 * @param lastRefresh when the last full refresh succeeded, if one did
	 * @param lastFailure why the last write failed, while Redis is unavailable
	 */
	public record Status(boolean available, @Nullable Instant lastRefresh, @Nullable String lastFailure) {
	}

}
