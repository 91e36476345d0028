package io.swaggersocket.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.http.SwaggerSocketWebClients;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Everything the benchmark talks to, on loopback in this JVM: the hub (WebFlux,
 * SwaggerSocket endpoint, RSocket over WebSocket at {@code /rsocket}), the agent
 * (WebFlux, dials the hub), and the raw WebSocket server. Closed only at the very end:
 * the Spring contexts share Reactor Netty's global resources, and closing one would break
 * the others' connections.
 */
final class Topology implements AutoCloseable {

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final List<AutoCloseable> resources = new ArrayList<>();

	final ConfigurableApplicationContext hub;

	final ConfigurableApplicationContext agent;

	final int hubPort;

	final WebClientTransport http;

	final WebClientTransport hubToAgent;

	final WebClientTransport agentToHub;

	final RSocketTransport rSocket;

	final RawWebSocket.Client raw;

	Topology(int maxConcurrency) {
		this.hub = start("hub", "spring.rsocket.server.transport=websocket",
				"spring.rsocket.server.mapping-path=/rsocket");
		this.hubPort = port(this.hub);
		this.agent = start("agent", "swaggersocket.client.url=" + socketUrl(this.hubPort),
				"swaggersocket.client.metadata.name=benchmark-agent");
		SwaggerSocketConnection onHub = awaitConnection(this.hub.getBean(SwaggerSocketConnections.class),
				this.agent.getBean(SwaggerSocketClient.class));

		// (a) a pool as large as the highest concurrency: HTTP/1.1 needs a connection per
		// request in flight
		ConnectionProvider pool = ConnectionProvider.builder("benchmark-http")
			.maxConnections(Math.max(16, maxConcurrency))
			.pendingAcquireMaxCount(-1)
			.build();
		this.resources.add(pool::dispose);
		// the same builder SwaggerSocketWebClients starts from: the application's, else a
		// default one
		WebClient httpClient = this.agent.getBeanProvider(WebClient.Builder.class)
			.getIfAvailable(WebClient::builder)
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
			.baseUrl("http://127.0.0.1:" + this.hubPort)
			.build();
		this.http = new WebClientTransport(Report.HTTP, httpClient, false);

		// (b) both directions over the one socket
		this.hubToAgent = new WebClientTransport(Report.HUB_TO_AGENT,
				this.hub.getBean(SwaggerSocketWebClients.class).webClient(onHub), true);
		this.agentToHub = new WebClientTransport(Report.AGENT_TO_HUB,
				this.agent.getBean(SwaggerSocketWebClients.class).server(), false);

		// (c)
		RSocketRequester requester = this.agent.getBean(RSocketRequester.Builder.class)
			.dataMimeType(MediaType.APPLICATION_JSON)
			.websocket(URI.create("ws://127.0.0.1:" + this.hubPort + "/rsocket"));
		this.resources.add(requester::dispose);
		this.rSocket = new RSocketTransport(requester);

		// (d)
		DisposableServer rawServer = RawWebSocket.startServer();
		this.resources.add(rawServer::disposeNow);
		this.raw = new RawWebSocket.Client(rawServer.port());
		this.raw.connect().block(Duration.ofSeconds(10));
	}

	/** Boot's Redis auto-configurations, on in the cluster section's hubs only. */
	static final List<String> REDIS_AUTO_CONFIGURATIONS = List.of(
			"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration",
			"org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration");

	static String socketUrl(int port) {
		return "ws://127.0.0.1:" + port + "/swaggersocket";
	}

	private ConfigurableApplicationContext start(String name, String... properties) {
		ConfigurableApplicationContext context = startApplication(name,
				java.util.Arrays.stream(properties).map((property) -> "--" + property).toList());
		this.contexts.add(context);
		return context;
	}

	/**
	 * Start one {@link EchoApplication} on an ephemeral loopback port, quiet.
	 * @param name its {@code spring.application.name}
	 * @param arguments command-line arguments ({@code --property=value}), which win over
	 * system properties
	 * @return the running application
	 */
	static ConfigurableApplicationContext startApplication(String name, List<String> arguments) {
		return new SpringApplicationBuilder(EchoApplication.class).web(WebApplicationType.REACTIVE)
			.properties("spring.application.name=" + name, "server.port=0", "server.address=127.0.0.1",
					"spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.root=WARN",
					// the hub's raw and RSocket WebSockets would hold a graceful shutdown
					// for its whole timeout
					"server.shutdown=immediate",
					// Redis is on the class path for the cluster section's hubs, which
					// switch it back on; elsewhere it would only add a client
					"spring.autoconfigure.exclude=" + String.join(",", REDIS_AUTO_CONFIGURATIONS))
			.run(arguments.toArray(String[]::new));
	}

	/**
	 * Stop an application if it still runs.
	 * @param context the application
	 */
	static void exit(ConfigurableApplicationContext context) {
		if (context.isActive()) {
			SpringApplication.exit(context);
		}
	}

	static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	private static SwaggerSocketConnection awaitConnection(SwaggerSocketConnections hubConnections,
			SwaggerSocketClient agentClient) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			if (hubConnections.size() == 1 && agentClient.getConnection().isPresent()) {
				return hubConnections.list().get(0);
			}
			sleep(20);
		}
		throw new IllegalStateException("The agent did not connect to the hub within 30 s");
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		for (AutoCloseable resource : this.resources) {
			try {
				resource.close();
			}
			catch (Exception ex) {
				// closing at the end: nothing depends on it any more
			}
		}
		// the agent first, so that it does not start dialing a hub that stops before it
		for (int i = this.contexts.size() - 1; i >= 0; i--) {
			ConfigurableApplicationContext context = this.contexts.get(i);
			if (context.isActive()) {
				SpringApplication.exit(context);
			}
		}
	}

}
