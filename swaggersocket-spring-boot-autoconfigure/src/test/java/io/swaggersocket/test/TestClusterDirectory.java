package io.swaggersocket.test;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.cluster.LocalConnectionDirectory;
import io.swaggersocket.cluster.SwaggerSocketClusterUnavailableException;
import io.swaggersocket.connection.SwaggerSocketConnection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * An in-memory directory for hubs in one test JVM: it answers from the real registries of
 * the hubs registered with it, with each hub's real URL. A test can make it unavailable,
 * or make it answer a stale location once, as a shared directory may.
 */
public final class TestClusterDirectory {

	private final Map<String, ConfigurableApplicationContext> hubs = new ConcurrentHashMap<>();

	private final Map<String, Queue<ConnectionLocation>> staleAnswers = new ConcurrentHashMap<>();

	private final AtomicInteger lookUps = new AtomicInteger();

	private volatile boolean unavailable;

	/** Register a started hub. */
	public void register(String hubId, ConfigurableApplicationContext hub) {
		this.hubs.put(hubId, hub);
	}

	/**
	 * Forget a hub that stopped.
	 * @return whether no hub is left
	 */
	public boolean forget(String hubId) {
		this.hubs.remove(hubId);
		return this.hubs.isEmpty();
	}

	/** The directory a hub sees. */
	public ConnectionDirectory view(String hubId) {
		return new View(hubId);
	}

	/**
	 * Make look-ups of other hubs' connections fail, as with Redis down, or work again.
	 */
	public void unavailable(boolean unavailable) {
		this.unavailable = unavailable;
	}

	/**
	 * Answer the next look-up of a connection with a location on the given hub, whether
	 * or not that hub holds it.
	 */
	public void answerOnce(String connectionId, String hubId) {
		answerOnce(connectionId, hubId, url(this.hubs.get(hubId)));
	}

	/** Answer the next look-up of a connection with a location on any URL. */
	public void answerOnce(String connectionId, String hubId, URI hubUrl) {
		this.staleAnswers.computeIfAbsent(connectionId, (id) -> new ConcurrentLinkedQueue<>())
			.add(new ConnectionLocation(connectionId, Map.of(), hubId, hubUrl, java.time.Instant.now(), false));
	}

	/** How many look-ups (by id) the hubs made. */
	public int lookUps() {
		return this.lookUps.get();
	}

	public static URI url(ConfigurableApplicationContext hub) {
		return URI.create("http://127.0.0.1:" + TestApplications.port(hub));
	}

	private final class View implements ConnectionDirectory {

		private final String hubId;

		private View(String hubId) {
			this.hubId = hubId;
		}

		@Override
		public String hubId() {
			return this.hubId;
		}

		@Override
		public Mono<ConnectionLocation> locate(String connectionId) {
			return Mono.defer(() -> {
				TestClusterDirectory.this.lookUps.incrementAndGet();
				Queue<ConnectionLocation> stale = TestClusterDirectory.this.staleAnswers.get(connectionId);
				ConnectionLocation answer = (stale != null) ? stale.poll() : null;
				if (answer != null) {
					return Mono.just(new ConnectionLocation(answer.connectionId(), answer.metadata(), answer.hubId(),
							answer.hubUrl(), answer.connectedAt(), answer.hubId().equals(this.hubId)));
				}
				ConnectionLocation own = find(this.hubId, connectionId);
				if (own != null) {
					return Mono.just(own);
				}
				if (TestClusterDirectory.this.unavailable) {
					return Mono.error(new SwaggerSocketClusterUnavailableException("The test directory is down",
							new IOException("Connection refused")));
				}
				return Flux.fromIterable(TestClusterDirectory.this.hubs.keySet())
					.mapNotNull((hub) -> find(hub, connectionId))
					.next();
			});
		}

		@Override
		public Flux<ConnectionLocation> findByMetadata(String key, String value) {
			return list().filter((location) -> location.metadata().containsKey(key)
					&& String.valueOf(location.metadata().get(key)).equals(value));
		}

		@Override
		public Flux<ConnectionLocation> list() {
			return Flux.fromIterable(TestClusterDirectory.this.hubs.entrySet())
				.flatMapIterable((hub) -> TestApplications.registry(hub.getValue())
					.list()
					.stream()
					.map((connection) -> location(connection, hub.getKey(), hub.getValue()))
					.toList());
		}

		private ConnectionLocation find(String hubId, String connectionId) {
			ConfigurableApplicationContext hub = TestClusterDirectory.this.hubs.get(hubId);
			if (hub == null || !hub.isActive()) {
				return null;
			}
			SwaggerSocketConnection connection = TestApplications.registry(hub).find(connectionId).orElse(null);
			return (connection != null && connection.isOpen()) ? location(connection, hubId, hub) : null;
		}

		private ConnectionLocation location(SwaggerSocketConnection connection, String hubId,
				ConfigurableApplicationContext hub) {
			ConnectionLocation location = LocalConnectionDirectory.location(connection, hubId, url(hub));
			return new ConnectionLocation(location.connectionId(), location.metadata(), hubId, location.hubUrl(),
					location.connectedAt(), hubId.equals(this.hubId));
		}

	}

}
