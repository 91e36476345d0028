package io.swaggersocket.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.swaggersocket.actuate.SwaggerSocketClusterHealthIndicator;
import io.swaggersocket.actuate.SwaggerSocketEndpoint;
import io.swaggersocket.actuate.SwaggerSocketHealthIndicator;
import io.swaggersocket.actuate.SwaggerSocketMetrics;
import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.RedisConnectionDirectory;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.SwaggerSocketConnections;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the SwaggerSocket Actuator endpoint, health indicator and meters,
 * each only when its part of Actuator is present and enabled.
 */
// by name: metrics may be absent, and a missing class in 'after' makes Spring warn at
// start-up
@AutoConfiguration(after = SwaggerSocketAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnBean(SwaggerSocketConnections.class)
public final class SwaggerSocketActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(SwaggerSocketEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SwaggerSocketEndpoint swaggerSocketEndpoint(SwaggerSocketConnections connections,
				ConnectionManager connectionManager, ObjectProvider<ConnectionDirectory> directory) {
			return new SwaggerSocketEndpoint(connections, connectionManager.options().drainTimeout(),
					(directory.getIfAvailable() instanceof RedisConnectionDirectory cluster) ? cluster : null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("swaggersocket")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "swaggersocketHealthIndicator")
		SwaggerSocketHealthIndicator swaggersocketHealthIndicator(SwaggerSocketConnections connections,
				ObjectProvider<SwaggerSocketClient> client) {
			return new SwaggerSocketHealthIndicator(connections, client.getIfAvailable());
		}

		@Bean
		@ConditionalOnBean(RedisConnectionDirectory.class)
		@ConditionalOnMissingBean(name = "swaggerSocketClusterHealthIndicator")
		SwaggerSocketClusterHealthIndicator swaggerSocketClusterHealthIndicator(RedisConnectionDirectory directory) {
			return new SwaggerSocketClusterHealthIndicator(directory);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SwaggerSocketMetrics swaggerSocketMetrics(MeterRegistry registry, SwaggerSocketConnections connections) {
			SwaggerSocketMetrics metrics = new SwaggerSocketMetrics(registry);
			metrics.bindConnections(connections);
			return metrics;
		}

	}

}
