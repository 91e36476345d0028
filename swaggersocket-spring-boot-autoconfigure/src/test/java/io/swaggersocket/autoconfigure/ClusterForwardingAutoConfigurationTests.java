package io.swaggersocket.autoconfigure;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.http.SwaggerSocketClusterHandler;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the forwarding between hubs in {@link SwaggerSocketAutoConfiguration}.
 */
class ClusterForwardingAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwaggerSocketAutoConfiguration.class));

	@Test
	void noForwardingWithoutTheCluster() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ClusterForwarder.class)
			.doesNotHaveBean("swaggerSocketClusterHandlerMapping"));
	}

	@Test
	void clusterEndpointAtTheClusterPath() {
		this.contextRunner
			.withPropertyValues("swaggersocket.cluster.enabled=true", "swaggersocket.cluster.secret=s3cret",
					"swaggersocket.cluster.path=/hubs/")
			.run((context) -> {
				assertThat(context).hasSingleBean(ClusterForwarder.class);
				SimpleUrlHandlerMapping mapping = context.getBean("swaggerSocketClusterHandlerMapping",
						SimpleUrlHandlerMapping.class);
				assertThat(mapping.getUrlMap()).containsOnlyKeys("/hubs/**");
				assertThat(mapping.getUrlMap().get("/hubs/**")).isInstanceOf(SwaggerSocketClusterHandler.class);
			});
	}

	@Test
	void clusterWithoutASecretFailsToStart() {
		this.contextRunner.withPropertyValues("swaggersocket.cluster.enabled=true")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("swaggersocket.cluster.secret is required"));
	}

	@Test
	void clusterPathMustBeAPlainPath() {
		this.contextRunner
			.withPropertyValues("swaggersocket.cluster.enabled=true", "swaggersocket.cluster.secret=s3cret",
					"swaggersocket.cluster.path=/hubs/**")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.cluster.path"));
	}

}
