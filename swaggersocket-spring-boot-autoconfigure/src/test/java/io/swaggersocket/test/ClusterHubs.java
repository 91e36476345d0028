package io.swaggersocket.test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.WebClient;

import static org.awaitility.Awaitility.await;

/**
 * Hubs of one cluster (gateway and cluster on, a shared secret) and agents connected to
 * them, in one test JVM. This is the one place where the hubs get their
 * {@link ConnectionDirectory}: the real one on a real Redis server ({@link #onRedis}), or
 * a {@link TestClusterDirectory} over their real registries, for tests that inject the
 * directory's own faults (stale answers, unavailability) at a precise moment.
 */
public final class ClusterHubs {

	/** The secret the hubs share. */
	public static final String SECRET = "test-cluster-secret";

	private static final Map<String, TestClusterDirectory> clusters = new ConcurrentHashMap<>();

	private final TestApplications apps;

	private final String name = UUID.randomUUID().toString();

	private final TestClusterDirectory directory = new TestClusterDirectory();

	private final @Nullable RedisServer redis;

	private final List<ConfigurableApplicationContext> hubs = new ArrayList<>();

	/** Hubs whose directory is a {@link TestClusterDirectory}. */
	public ClusterHubs(TestApplications apps) {
		this(apps, null);
	}

	private ClusterHubs(TestApplications apps, @Nullable RedisServer redis) {
		this.apps = apps;
		this.redis = redis;
		if (redis == null) {
			clusters.put(this.name, this.directory);
		}
	}

	/**
	 * Hubs whose directory is the cluster's own, in the given Redis server.
	 * @param apps where the hubs and agents run
	 * @param redis the Redis server
	 * @return the cluster
	 */
	public static ClusterHubs onRedis(TestApplications apps, RedisServer redis) {
		return new ClusterHubs(apps, redis);
	}

	public TestClusterDirectory directory() {
		Assert.state(this.redis == null, "The hubs' directory is in Redis");
		return this.directory;
	}

	/**
	 * Start a hub. Extra configuration classes may be given in
	 * {@code spring.main.sources}; this hub's directory is added to them.
	 */
	public ConfigurableApplicationContext hub(String hubId, String... properties) {
		List<String> all = new ArrayList<>();
		all.add("swaggersocket.server.gateway.enabled=true");
		all.add("swaggersocket.cluster.enabled=true");
		all.add("swaggersocket.cluster.secret=" + SECRET);
		all.add("swaggersocket.cluster.hub-id=" + hubId);
		if (this.redis != null) {
			ConfigurableApplicationContext hub = this.apps.server(this.redis.hubProperties(all.toArray(String[]::new)));
			this.hubs.add(hub);
			return hub;
		}
		all.add("test.cluster.name=" + this.name);
		String sources = HubDirectory.class.getName();
		for (String property : properties) {
			if (property.startsWith("spring.main.sources=")) {
				sources = sources + "," + property.substring("spring.main.sources=".length());
			}
			else {
				all.add(property);
			}
		}
		all.add("spring.main.sources=" + sources);
		ConfigurableApplicationContext hub = this.apps.server(all.toArray(String[]::new));
		this.directory.register(hubId, hub);
		return hub;
	}

	/**
	 * An agent application and its connection as its hub sees it.
	 *
	 * @param context the agent application
	 * @param connection the connection, as the hub sees it
	 */
	public record Agent(ConfigurableApplicationContext context, SwaggerSocketConnection connection) {

		public String id() {
			return this.connection.id();
		}

	}

	/**
	 * Start an agent connected to a hub (directly, or through a proxy's port).
	 */
	public Agent agent(ConfigurableApplicationContext hub, String... properties) {
		return agent(hub, TestApplications.port(hub), properties);
	}

	/**
	 * Start an agent connected to a hub through a given port (a proxy's).
	 */
	public Agent agent(ConfigurableApplicationContext hub, int port, String... properties) {
		int before = TestApplications.events(hub).events(SwaggerSocketConnectedEvent.class).size();
		List<String> all = new ArrayList<>(Arrays.asList(properties));
		ConfigurableApplicationContext agent = this.apps.client(TestApplications.socketUrl(port),
				all.toArray(String[]::new));
		SwaggerSocketConnection connection = TestApplications.events(hub)
			.await(SwaggerSocketConnectedEvent.class, before + 1, java.time.Duration.ofSeconds(10))
			.getConnection();
		TestApplications.events(agent).await(SwaggerSocketConnectedEvent.class);
		if (this.redis != null) {
			// published asynchronously: every hub finds the agent before the test calls
			// it
			for (ConfigurableApplicationContext each : this.hubs) {
				ConnectionDirectory directory = each.getBean(ConnectionDirectory.class);
				await().atMost(java.time.Duration.ofSeconds(10))
					.until(() -> directory.locate(connection.id()).blockOptional().isPresent());
			}
		}
		return new Agent(agent, connection);
	}

	/** A plain HTTP client of a hub. */
	public static WebClient http(ConfigurableApplicationContext hub) {
		return WebClient.builder()
			.baseUrl("http://127.0.0.1:" + TestApplications.port(hub))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	static class HubDirectory {

		@Bean
		ConnectionDirectory swaggerSocketConnectionDirectory(Environment environment) {
			return clusters.get(environment.getRequiredProperty("test.cluster.name"))
				.view(environment.getRequiredProperty("swaggersocket.cluster.hub-id"));
		}

		/** Stopped hubs are forgotten, and a cluster whose hubs all stopped, too. */
		@Bean
		ApplicationListener<ContextClosedEvent> forgetsStoppedHub(Environment environment) {
			String name = environment.getRequiredProperty("test.cluster.name");
			String hubId = environment.getRequiredProperty("swaggersocket.cluster.hub-id");
			return (event) -> {
				TestClusterDirectory directory = clusters.get(name);
				if (directory != null && directory.forget(hubId)) {
					clusters.remove(name);
				}
			};
		}

	}

}
