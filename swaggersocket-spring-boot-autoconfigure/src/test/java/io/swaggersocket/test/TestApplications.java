package io.swaggersocket.test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.http.SwaggerSocketWebClients;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Starts real Spring Boot WebFlux applications on loopback and ephemeral ports, in the
 * server or client role, and closes them all at the end of a test.
 */
public final class TestApplications implements AutoCloseable {

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	/** A server application on a random loopback port. */
	public ConfigurableApplicationContext server(String... properties) {
		return start(0, properties);
	}

	/**
	 * A server application on a given port (to restart one where its predecessor was).
	 */
	public ConfigurableApplicationContext serverOnPort(int port, String... properties) {
		return start(port, properties);
	}

	/** A client application that dials the given server URL. */
	public ConfigurableApplicationContext client(String url, String... properties) {
		return client(url, new Class<?>[0], properties);
	}

	/**
	 * A client application that dials the given server URL, with configuration of its own
	 * beside the test application's.
	 */
	public ConfigurableApplicationContext client(String url, Class<?>[] configurations, String... properties) {
		List<String> all = new ArrayList<>(Arrays.asList(properties));
		all.add("swaggersocket.client.url=" + url);
		all.add("swaggersocket.client.reconnect.initial-backoff=100ms");
		all.add("swaggersocket.client.reconnect.max-backoff=500ms");
		return start(0, configurations, all.toArray(String[]::new));
	}

	/**
	 * A server and a client connected to it, once both have published their connected
	 * event.
	 */
	public Connected connected() {
		ConfigurableApplicationContext server = server();
		ConfigurableApplicationContext client = client(socketUrl(server));
		SwaggerSocketConnection serverSide = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		return new Connected(server, client, serverSide);
	}

	/**
	 * Two connected applications.
	 *
	 * @param server the server application
	 * @param client the client application
	 * @param serverSide the connection as the server sees it
	 */
	public record Connected(ConfigurableApplicationContext server, ConfigurableApplicationContext client,
			SwaggerSocketConnection serverSide) {

		/** A WebClient of the server calling the client over the socket. */
		public WebClient serverToClient() {
			return this.server.getBean(SwaggerSocketWebClients.class).webClient(this.serverSide);
		}

		/** A WebClient of the client calling the server over the socket. */
		public WebClient clientToServer() {
			return this.client.getBean(SwaggerSocketWebClients.class).server();
		}

	}

	private ConfigurableApplicationContext start(int port, String... properties) {
		return start(port, new Class<?>[0], properties);
	}

	private ConfigurableApplicationContext start(int port, Class<?>[] configurations, String... properties) {
		List<String> all = new ArrayList<>();
		all.add("server.port=" + port);
		all.add("server.address=127.0.0.1");
		all.add("spring.main.banner-mode=off");
		// Spring Security and Spring Data Redis are on the test classpath for the
		// security
		// and cluster tests, which switch them back on (Redis's health would be DOWN
		// without a server)
		all.add("spring.autoconfigure.exclude=" + String.join(",", SECURITY_AUTO_CONFIGURATIONS) + ","
				+ String.join(",", REDIS_AUTO_CONFIGURATIONS));
		all.addAll(Arrays.asList(properties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApp.class).sources(configurations)
			.web(WebApplicationType.REACTIVE)
			.properties(all.toArray(String[]::new))
			.run();
		this.contexts.add(context);
		return context;
	}

	/**
	 * Boot's reactive security auto-configurations, off unless a test sets
	 * spring.autoconfigure.exclude itself.
	 */
	public static final List<String> SECURITY_AUTO_CONFIGURATIONS = List.of(
			"org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
			"org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration");

	/**
	 * Boot's Redis auto-configurations, off unless a test sets
	 * spring.autoconfigure.exclude itself.
	 */
	public static final List<String> REDIS_AUTO_CONFIGURATIONS = List.of(
			"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration");

	public static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	public static String socketUrl(ConfigurableApplicationContext server) {
		return socketUrl(port(server));
	}

	public static String socketUrl(int port) {
		return "ws://127.0.0.1:" + port + "/swaggersocket";
	}

	public static EventRecorder events(ConfigurableApplicationContext context) {
		return context.getBean(EventRecorder.class);
	}

	public static SwaggerSocketConnections registry(ConfigurableApplicationContext context) {
		return context.getBean(SwaggerSocketConnections.class);
	}

	@Override
	public void close() {
		// clients first, so that they do not start reconnecting to servers that stop
		// before them
		for (int i = this.contexts.size() - 1; i >= 0; i--) {
			ConfigurableApplicationContext context = this.contexts.get(i);
			if (context.isActive()) {
				SpringApplication.exit(context);
			}
		}
	}

	private static final java.time.Duration SHUTDOWN_QUIET_PERIOD = java.time.Duration.ofMillis(100);

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@org.springframework.context.annotation.Import({ TestEndpoints.class, TestWebSocketEndpoints.class })
	static class TestApp {

		@Bean
		EventRecorder eventRecorder() {
			return new EventRecorder();
		}

		/**
		 * Each application on its own Reactor Netty resources, as if in its own process:
		 * with the global ones, closing one application would cut the others'
		 * connections. Their event loops stop after 100 ms without new tasks rather than
		 * Reactor Netty's 2 s: by the time they stop, the application's server and
		 * connections are closed, and the suite closes some 300 applications.
		 */
		@Bean
		org.springframework.http.client.ReactorResourceFactory reactorResourceFactory() {
			org.springframework.http.client.ReactorResourceFactory factory = new org.springframework.http.client.ReactorResourceFactory();
			factory.setUseGlobalResources(false);
			factory.setShutdownQuietPeriod(SHUTDOWN_QUIET_PERIOD);
			return factory;
		}

	}

}
