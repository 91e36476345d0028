package io.swaggersocket.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster endpoint serves only hubs that know the cluster's secret, only for
 * connections its own hub holds, and is never a way around the application's security: an
 * outside caller reaches agents only through a gateway that its security admits.
 */
class ClusterEndpointIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final TestApplications apps = new TestApplications();

	private final ClusterHubs cluster = new ClusterHubs(this.apps);

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void callWithoutTheSecretIsA401AndReachesNoAgent() {
		ConfigurableApplicationContext hub = this.cluster.hub("hub-a");
		ClusterHubs.Agent agent = this.cluster.agent(hub, AgentProbe.SOURCE);

		ResponseEntity<Map<String, Object>> response = clusterCall(hub, agent.id(), null);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getHeaders().getFirst("X-SwaggerSocket-Cluster-Refused")).isEqualTo("unauthenticated");
		assertThat(response.getBody()).containsEntry("status", 401)
			.containsEntry("detail", "Calls to the cluster endpoint must carry the cluster's secret");
		assertThat(AgentProbe.seen(agent.context())).isEmpty();
	}

	@Test
	void callWithAWrongSecretIsA403AndReachesNoAgent() {
		ConfigurableApplicationContext hub = this.cluster.hub("hub-a");
		ClusterHubs.Agent agent = this.cluster.agent(hub, AgentProbe.SOURCE);

		ResponseEntity<Map<String, Object>> response = clusterCall(hub, agent.id(), ClusterHubs.SECRET + "x");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
		assertThat(response.getHeaders().getFirst("X-SwaggerSocket-Cluster-Refused")).isEqualTo("forbidden");
		assertThat(response.getBody()).containsEntry("detail", "The cluster's secret does not match");
		assertThat(AgentProbe.seen(agent.context())).isEmpty();
	}

	@Test
	void refusalsRevealNothingAboutWhichConnectionsExist() {
		ConfigurableApplicationContext hub = this.cluster.hub("hub-a");
		ClusterHubs.Agent agent = this.cluster.agent(hub);

		ResponseEntity<Map<String, Object>> held = clusterCall(hub, agent.id(), "wrong");
		ResponseEntity<Map<String, Object>> unknown = clusterCall(hub, "no-such-agent", "wrong");

		assertThat(held.getStatusCode()).isEqualTo(unknown.getStatusCode());
		assertThat(held.getBody().get("detail")).isEqualTo(unknown.getBody().get("detail"));
	}

	@Test
	void connectionThisHubDoesNotHoldIsA421EvenIfAnotherHubHoldsIt() {
		ConfigurableApplicationContext hubA = this.cluster.hub("hub-a");
		ConfigurableApplicationContext hubB = this.cluster.hub("hub-b");
		ClusterHubs.Agent onB = this.cluster.agent(hubB, AgentProbe.SOURCE);

		ResponseEntity<Map<String, Object>> response = clusterCall(hubA, onB.id(), ClusterHubs.SECRET);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.MISDIRECTED_REQUEST);
		assertThat(response.getHeaders().getFirst("X-SwaggerSocket-Cluster-Refused")).isEqualTo("misdirected");
		assertThat(response.getBody()).containsEntry("status", 421)
			.containsEntry("detail", "This hub holds no live connection with id '" + onB.id() + "'");
		assertThat(AgentProbe.seen(onB.context())).isEmpty();
		assertThat(this.cluster.directory().lookUps()).isZero();
	}

	@Test
	void callWithTheSecretReachesTheAgentWithoutTheClusterHeaders() {
		ConfigurableApplicationContext hub = this.cluster.hub("hub-a");
		ClusterHubs.Agent agent = this.cluster.agent(hub, AgentProbe.SOURCE);

		Map<String, Object> seen = WebClient.create("http://127.0.0.1:" + TestApplications.port(hub))
			.get()
			.uri("/swaggersocket-cluster/{id}/probe/request?x=1", agent.id())
			.header("X-SwaggerSocket-Cluster-Secret", ClusterHubs.SECRET)
			.header("X-SwaggerSocket-Cluster-Host", "agent.example")
			.header("X-SwaggerSocket-Cluster-Prefix", "/peers/" + agent.id())
			.header("X-Custom", "custom-value")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(TIMEOUT);

		assertThat(seen).containsEntry("uri", "http://agent.example/probe/request?x=1");
		assertThat((Map<String, Object>) seen.get("headers")).containsEntry("host", "agent.example")
			.containsEntry("x-forwarded-prefix", "/peers/" + agent.id())
			.containsEntry("x-custom", "custom-value")
			.doesNotContainKeys("x-swaggersocket-cluster-secret", "x-swaggersocket-cluster-host",
					"x-swaggersocket-cluster-prefix");
	}

	@Test
	void clusterHeadersFromAnOutsideCallerNeverReachTheAgent() {
		ConfigurableApplicationContext hubA = this.cluster.hub("hub-a");
		ConfigurableApplicationContext hubB = this.cluster.hub("hub-b");
		ClusterHubs.Agent agent = this.cluster.agent(hubA, AgentProbe.SOURCE);

		for (ConfigurableApplicationContext hub : List.of(hubA, hubB)) {
			Map<String, Object> seen = ClusterHubs.http(hub)
				.get()
				.uri("/peers/{id}/probe/request", agent.id())
				.header("X-SwaggerSocket-Cluster-Secret", ClusterHubs.SECRET)
				.header("X-SwaggerSocket-Cluster-Host", "evil.example")
				.header("X-SwaggerSocket-Cluster-Unset", "x-custom")
				.header("X-Custom", "custom-value")
				.retrieve()
				.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
				})
				.block(TIMEOUT);
			assertThat(seen).containsEntry("uri", "http://swaggersocket/probe/request");
			assertThat((Map<String, Object>) seen.get("headers")).containsEntry("x-custom", "custom-value")
				.doesNotContainKeys("x-swaggersocket-cluster-secret", "x-swaggersocket-cluster-host",
						"x-swaggersocket-cluster-unset", "host");
		}
	}

	/**
	 * With Spring Security on every hub, the gateway stays as secured as the application
	 * makes it, and the cluster path, which the application permits, is guarded by the
	 * secret alone.
	 */
	@Test
	void securedHubsForwardAuthenticatedGatewayCallsAndGuardTheClusterPathWithTheSecret() {
		String[] secured = { "spring.autoconfigure.exclude=", "spring.main.sources=" + SecuredHub.class.getName() };
		ConfigurableApplicationContext hubA = this.cluster.hub("hub-a", secured);
		ConfigurableApplicationContext hubB = this.cluster.hub("hub-b", secured);
		ClusterHubs.Agent agent = this.cluster.agent(hubA, AgentProbe.SOURCE);

		ResponseEntity<String> anonymous = ClusterHubs.http(hubB)
			.get()
			.uri("/peers/{id}/fn/echo?q=x", agent.id())
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(TIMEOUT);
		assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);

		ResponseEntity<Map<String, Object>> noSecret = clusterCall(hubA, agent.id(), null);
		assertThat(noSecret.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(noSecret.getHeaders().getFirst("X-SwaggerSocket-Cluster-Refused")).isEqualTo("unauthenticated");
		assertThat(AgentProbe.seen(agent.context())).isEmpty();

		Map<String, Object> answer = ClusterHubs.http(hubB)
			.get()
			.uri("/peers/{id}/fn/echo?q=authenticated", agent.id())
			.headers((headers) -> headers.setBasicAuth("user", "user-pw"))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(TIMEOUT);
		assertThat(answer).containsEntry("q", "authenticated");
	}

	private static ResponseEntity<Map<String, Object>> clusterCall(ConfigurableApplicationContext hub, String id,
			String secret) {
		return WebClient.create("http://127.0.0.1:" + TestApplications.port(hub))
			.get()
			.uri("/swaggersocket-cluster/{id}/probe/request", id)
			.headers((headers) -> {
				if (secret != null) {
					headers.set("X-SwaggerSocket-Cluster-Secret", secret);
				}
			})
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(TIMEOUT);
	}

	@Configuration(proxyBeanMethods = false)
	static class SecuredHub {

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
			return http
				.authorizeExchange((exchanges) -> exchanges.pathMatchers("/swaggersocket-cluster/**")
					.permitAll()
					.pathMatchers("/swaggersocket")
					.permitAll()
					.anyExchange()
					.authenticated())
				.httpBasic(Customizer.withDefaults())
				.csrf(ServerHttpSecurity.CsrfSpec::disable)
				.build();
		}

		@Bean
		MapReactiveUserDetailsService users() {
			return new MapReactiveUserDetailsService(
					User.withUsername("user").password("{noop}user-pw").roles("USER").build());
		}

	}

}
