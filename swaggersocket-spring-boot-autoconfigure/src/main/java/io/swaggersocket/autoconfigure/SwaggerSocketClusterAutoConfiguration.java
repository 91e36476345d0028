package io.swaggersocket.autoconfigure;

import java.util.UUID;

import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.RedisConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnections;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of the cluster's directory in Redis when
 * {@code swaggersocket.cluster.enabled=true}: it replaces the single-hub directory.
 * Start-up fails, saying why, if the cluster is enabled without a secret or without
 * Spring Data Redis reactive. An application's own {@code ConnectionDirectory} bean (a
 * directory in another store) takes the Redis directory's place.
 */
@AutoConfiguration(before = SwaggerSocketAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnBooleanProperty("swaggersocket.cluster.enabled")
@EnableConfigurationProperties(SwaggerSocketProperties.class)
public final class SwaggerSocketClusterAutoConfiguration {

	/**
	 * The URL other hubs reach this hub at: published with its connections, and offered
	 * on its links so that the other hub dials one back.
	 */
	@Bean
	@ConditionalOnMissingBean
	ClusterHubUrl swaggerSocketClusterHubUrl(SwaggerSocketProperties properties, Environment environment) {
		return new ClusterHubUrl(properties.getCluster().getAdvertisedUrl(), environment);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveStringRedisTemplate.class)
	static class RedisDirectoryConfiguration {

		@Bean
		@ConditionalOnMissingBean(ConnectionDirectory.class)
		RedisConnectionDirectory swaggerSocketConnectionDirectory(SwaggerSocketProperties properties,
				ReactiveRedisConnectionFactory connectionFactory, SwaggerSocketConnections connections,
				ClusterHubUrl hubUrl) {
			SwaggerSocketProperties.Cluster cluster = properties.getCluster();
			requireSecret(cluster);
			requireRefreshWithinTimeToLive(cluster);
			String hubId = StringUtils.hasText(cluster.getHubId()) ? cluster.getHubId() : UUID.randomUUID().toString();
			return new RedisConnectionDirectory(new ReactiveStringRedisTemplate(connectionFactory), connections, hubId,
					hubUrl, cluster.getEntryTimeToLive(), cluster.getRefreshInterval(), cluster.getKeyPrefix(),
					RedisConnectionDirectory.DEFAULT_COMMAND_TIMEOUT);
		}

		private static void requireRefreshWithinTimeToLive(SwaggerSocketProperties.Cluster cluster) {
			if (cluster.getRefreshInterval().isZero() || cluster.getRefreshInterval().isNegative()
					|| cluster.getRefreshInterval().compareTo(cluster.getEntryTimeToLive()) >= 0) {
				throw new InvalidConfigurationPropertyValueException("swaggersocket.cluster.refresh-interval",
						cluster.getRefreshInterval(),
						"Must be positive and shorter than " + "swaggersocket.cluster.entry-time-to-live ("
								+ cluster.getEntryTimeToLive() + "), or entries expire between refreshes");
			}
		}

		private static void requireSecret(SwaggerSocketProperties.Cluster cluster) {
			if (!StringUtils.hasText(cluster.getSecret())) {
				throw new InvalidConfigurationPropertyValueException("swaggersocket.cluster.secret",
						cluster.getSecret(),
						"A secret shared by the hubs is required when swaggersocket.cluster.enabled is true");
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.springframework.data.redis.core.ReactiveStringRedisTemplate")
	@ConditionalOnMissingBean(ConnectionDirectory.class)
	static class RedisMissingConfiguration {

		RedisMissingConfiguration() {
			throw new InvalidConfigurationPropertyValueException("swaggersocket.cluster.enabled", true,
					"The cluster's directory needs Spring Data Redis reactive: add the dependency "
							+ "org.springframework.boot:spring-boot-starter-data-redis-reactive");
		}

	}

}
