package io.swaggersocket.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.client.SwaggerSocketUpgradeHeadersCustomizer;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestWebSocketEndpoints;
import io.swaggersocket.websocket.SwaggerSocketWebSocketHandshakeException;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.socket.WebSocketSession;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The WebSocket upgrade goes through the application's real Spring Security; the
 * principal that authenticated it is the identity of every request dispatched from the
 * connection.
 */
class SecurityIntegrationTests {

	private static final String[] SECURED = {
			"spring.autoconfigure.exclude=" + String.join(",", TestApplications.REDIS_AUTO_CONFIGURATIONS),
			"spring.main.sources=" + SecuredServer.class.getName() };

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void unauthenticatedUpgradeIsRefusedWith401BeforeAnyWebSocketHandshake() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		assertThatThrownBy(() -> HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols(FrameCodec.SUBPROTOCOL)
			.buildAsync(URI.create(socketUrl(server)), new WebSocket.Listener() {
			})
			.join()).isInstanceOf(CompletionException.class)
			.cause()
			.isInstanceOfSatisfying(WebSocketHandshakeException.class,
					(ex) -> assertThat(ex.getResponse().statusCode()).isEqualTo(401));
		assertThat(TestApplications.registry(server).list()).isEmpty();
	}

	@Test
	void basicAuthenticatedUpgradeBecomesThePrincipalOfDispatchedRequests() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.headers.Authorization=" + basic("agent", "agent-pw"));
		SwaggerSocketConnection connection = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		assertThat(connection.info().principal()).isNotNull();
		assertThat(connection.info().principal().getName()).isEqualTo("agent");

		WebClient toServer = client.getBean(SwaggerSocketWebClients.class).server();
		assertThat(get(toServer, "/fn/whoami", null)).isEqualTo("agent");
	}

	@Test
	void authorizationRulesApplyToDispatchedRequests() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.headers.Authorization=" + basic("agent", "agent-pw"));
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient toServer = client.getBean(SwaggerSocketWebClients.class).server();

		assertThat(status(toServer, "/admin/secret", null)).isEqualTo(HttpStatusCode.valueOf(403));
	}

	@Test
	void aWebSocketOverTheConnectionHasItsPrincipalAndItsAuthorizationRules() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.headers.Authorization=" + basic("agent", "agent-pw"));
		events(client).await(SwaggerSocketConnectedEvent.class);
		SwaggerSocketConnection toHub = client.getBean(io.swaggersocket.client.SwaggerSocketClient.class)
			.getConnection()
			.orElseThrow();
		SwaggerSocketWebSockets webSockets = client.getBean(SwaggerSocketWebSockets.class);
		webSockets.client(toHub)
			.execute(URI.create("ws://swaggersocket/ws/echo?id=secured"), WebSocketSession::close)
			.block(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(TestWebSocketEndpoints.principals.get("secured")).isEqualTo("agent"));
		assertThatThrownBy(() -> webSockets.client(toHub)
			.execute(URI.create("ws://swaggersocket/admin/ws"), WebSocketSession::close)
			.block(Duration.ofSeconds(10))).isInstanceOfSatisfying(SwaggerSocketWebSocketHandshakeException.class,
					(ex) -> assertThat(ex.getStatusCode().value()).isEqualTo(403));
	}

	@Test
	void aDispatchedRequestCannotClaimAnotherIdentityWithItsOwnHeaders() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.headers.Authorization=" + basic("agent", "agent-pw"));
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient toServer = client.getBean(SwaggerSocketWebClients.class).server();
		String admin = basic("admin", "admin-pw");

		assertThat(get(toServer, "/fn/whoami", admin)).isEqualTo("agent");
		assertThat(status(toServer, "/admin/secret", admin)).isEqualTo(HttpStatusCode.valueOf(403));
		// the same credentials over plain HTTP are the admin's
		assertThat(get(WebClient.create("http://127.0.0.1:" + TestApplications.port(server)), "/admin/secret", admin))
			.isEqualTo("secret");
	}

	@Test
	void bearerTokenFromAHeadersCustomizerIsFetchedAgainForEveryAttempt() {
		ConfigurableApplicationContext server = this.apps.server(SECURED);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"spring.main.sources=" + TokenSupplier.class.getName());
		SwaggerSocketConnection connection = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		assertThat(connection.info().principal().getName()).isEqualTo("token-agent");
		assertThat(TokenSupplier.issued.get()).isEqualTo(1);

		connection.close().block(Duration.ofSeconds(5));

		SwaggerSocketConnection again = events(server)
			.await(SwaggerSocketConnectedEvent.class, 2, Duration.ofSeconds(10))
			.getConnection();
		assertThat(again.info().principal().getName()).isEqualTo("token-agent");
		assertThat(TokenSupplier.issued.get()).isEqualTo(2);
		assertThat(get(client.getBean(SwaggerSocketWebClients.class).server(), "/fn/whoami", null))
			.isEqualTo("token-agent");
	}

	private static String get(WebClient webClient, String path, String authorization) {
		return webClient.get().uri(path).headers((headers) -> {
			if (authorization != null) {
				headers.set(HttpHeaders.AUTHORIZATION, authorization);
			}
		}).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(5));
	}

	private static HttpStatusCode status(WebClient webClient, String path, String authorization) {
		return webClient.get().uri(path).headers((headers) -> {
			if (authorization != null) {
				headers.set(HttpHeaders.AUTHORIZATION, authorization);
			}
		})
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode()))
			.block(Duration.ofSeconds(5));
	}

	static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableWebFluxSecurity
	static class SecuredServer {

		@Bean
		SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http) {
			AuthenticationWebFilter bearer = new AuthenticationWebFilter(bearerTokens());
			bearer.setServerAuthenticationConverter((exchange) -> Mono
				.justOrEmpty(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION))
				.filter((value) -> value.startsWith("Bearer "))
				.map((value) -> UsernamePasswordAuthenticationToken.unauthenticated("bearer", value.substring(7))));
			return http.authorizeExchange(
					(exchanges) -> exchanges.pathMatchers("/admin/**").hasRole("ADMIN").anyExchange().authenticated())
				.httpBasic(Customizer.withDefaults())
				.addFilterAt(bearer, SecurityWebFiltersOrder.AUTHENTICATION)
				.csrf(ServerHttpSecurity.CsrfSpec::disable)
				.build();
		}

		@Bean
		MapReactiveUserDetailsService users() {
			return new MapReactiveUserDetailsService(
					User.withUsername("agent").password("{noop}agent-pw").roles("AGENT").build(),
					User.withUsername("admin").password("{noop}admin-pw").roles("ADMIN").build());
		}

		private static ReactiveAuthenticationManager bearerTokens() {
			return (authentication) -> "agent-token".equals(authentication.getCredentials())
					? Mono.just(UsernamePasswordAuthenticationToken.authenticated("token-agent", null,
							AuthorityUtils.createAuthorityList("ROLE_AGENT")))
					: Mono.error(new BadCredentialsException("Unknown token"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TokenSupplier {

		static final AtomicInteger issued = new AtomicInteger();

		@Bean
		SwaggerSocketUpgradeHeadersCustomizer freshToken() {
			issued.set(0);
			return (headers) -> {
				issued.incrementAndGet();
				headers.setBearerAuth("agent-token");
			};
		}

	}

}
