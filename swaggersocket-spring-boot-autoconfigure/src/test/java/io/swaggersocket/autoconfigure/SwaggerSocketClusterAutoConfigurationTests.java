package io.swaggersocket.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;

import io.swaggersocket.actuate.SwaggerSocketClusterHealthIndicator;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.LocalConnectionDirectory;
import io.swaggersocket.cluster.RedisConnectionDirectory;
import io.swaggersocket.test.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.context.Lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SwaggerSocketClusterAutoConfiguration}.
 */
class SwaggerSocketClusterAutoConfigurationTests {

	/**
	 * A Redis server of these tests' own (another one on the default port must not see
	 * their writes). Not a port nothing listens on: Lettuce, shut down while it is still
	 * failing to connect, leaves its connection's read buffer unreleased, which the leak
	 * detection reports against these tests.
	 */
	private static RedisServer redis;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DataRedisReactiveAutoConfiguration.class, SwaggerSocketClusterAutoConfiguration.class,
				SwaggerSocketAutoConfiguration.class, SwaggerSocketActuatorAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.url=" + redis.url(),
				"swaggersocket.cluster.advertised-url=http://hub-a.example:8080");

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.startOnFreePort();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	private static final String[] CLUSTER = { "swaggersocket.cluster.enabled=true",
			"swaggersocket.cluster.secret=s3cret" };

	@Test
	void directoryIsThisHubsOwnByDefault() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ConnectionDirectory.class)
			.getBean(ConnectionDirectory.class)
			.isInstanceOf(LocalConnectionDirectory.class));
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(RedisConnectionDirectory.class)
			.doesNotHaveBean(SwaggerSocketClusterHealthIndicator.class));
	}

	@Test
	void enabledClusterReplacesTheDirectoryWithRedis() {
		this.contextRunner.withPropertyValues(CLUSTER)
			.withPropertyValues("swaggersocket.cluster.hub-id=hub-a")
			.run((context) -> {
				assertThat(context).hasSingleBean(ConnectionDirectory.class)
					.hasSingleBean(RedisConnectionDirectory.class)
					.hasBean("swaggerSocketClusterHealthIndicator");
				RedisConnectionDirectory directory = context.getBean(RedisConnectionDirectory.class);
				assertThat(directory.hubId()).isEqualTo("hub-a");
				assertThat(directory.hubUrl()).isEqualTo(URI.create("http://hub-a.example:8080"));
			});
	}

	@Test
	void hubIdIsRandomWhenNotSet() {
		this.contextRunner.withPropertyValues(CLUSTER)
			.run((context) -> assertThat(UUID.fromString(context.getBean(ConnectionDirectory.class).hubId()))
				.isNotNull());
	}

	@Test
	void noLifecycleBeanDependsOnTheDirectorySoThatItsWithdrawalIsWaitedFor() {
		// Spring stops a bean's dependents first, in the bean's own shutdown phase and
		// counted as its own: the links between hubs, a later phase, depended on the
		// directory, so their quick stop let the context go on (GOAWAY, the Redis client
		// shut down) while the directory still withdrew
		this.contextRunner.withPropertyValues(CLUSTER).run((context) -> {
			String directory = context.getBeanNamesForType(ConnectionDirectory.class)[0];
			assertThat(context.getBeanFactory().getDependentBeans(directory))
				.noneMatch((dependent) -> Lifecycle.class.isAssignableFrom(context.getType(dependent)));
		});
	}

	@Test
	void closingTheContextWithdrawsTheHubFromTheDirectory() {
		String hubKey = "{swaggersocket}:hub:hub-closing";
		this.contextRunner.withPropertyValues(CLUSTER)
			.withPropertyValues("swaggersocket.cluster.hub-id=hub-closing")
			.run((context) -> await().atMost(Duration.ofSeconds(10))
				.until(() -> redis.command("EXISTS", hubKey), (reply) -> reply.equals(":1\r\n")));
		assertThat(redis.command("EXISTS", hubKey)).isEqualTo(":0\r\n");
	}

	@Test
	void failsToStartWhenTheClusterHasNoSecret() {
		this.contextRunner.withPropertyValues("swaggersocket.cluster.enabled=true")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.cluster.secret"));
	}

	@Test
	void failsToStartWhenTheClusterHasABlankSecret() {
		this.contextRunner.withPropertyValues("swaggersocket.cluster.enabled=true", "swaggersocket.cluster.secret= ")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.cluster.secret"));
	}

	@Test
	void failsToStartWhenEntriesWouldExpireBetweenRefreshes() {
		this.contextRunner.withPropertyValues(CLUSTER)
			.withPropertyValues("swaggersocket.cluster.entry-time-to-live=5s",
					"swaggersocket.cluster.refresh-interval=5s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.cluster.refresh-interval"));
	}

	@Test
	void failsToStartWhenTheClusterHasNoSpringDataRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues(CLUSTER)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.cluster.enabled")
				.hasMessageContaining("spring-boot-starter-data-redis-reactive"));
	}

	@Test
	void withoutSpringDataRedisTheSingleHubDirectoryStillWorks() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(ConnectionDirectory.class)
				.isInstanceOf(LocalConnectionDirectory.class));
	}

}
