package io.swaggersocket.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.http.SwaggerSocketWebClients;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.test.web.reactive.server.HttpHandlerConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The hub in this JVM (the caller, where the load generator runs) and the agent in a
 * child JVM, as users deploy them. The agent dials the hub; every transport calls from
 * the hub to the agent's {@link EchoApplication}: (a) HTTP/1.1, (b) the SwaggerSocket
 * connection, (c) RSocket over WebSocket, (d) raw WebSocket, (f) one h2c connection. Row
 * (e) needs no peer: the hub's {@code WebClient} hands each request straight to the hub's
 * own {@link HttpHandler} (the same application), the floor any transport of this model
 * pays.
 *
 * <p>
 * A <em>pair</em> only builds (b) (and, with a delay, (d) for bulk transfers): the
 * head-of-line run with other windows and the long-link run use pairs of their own. With
 * a one-way delay both the agent's connection to the hub and the raw WebSocket go through
 * a {@link DelayProxy}.
 */
final class SplitTopology {

	final String label;

	final ConfigurableApplicationContext hub;

	final int hubPort;

	final ChildJvm agent;

	private final String agentName;

	private final @Nullable Duration oneWayDelay;

	private final boolean full;

	private final BenchmarkSettings settings;

	private final Closer closer;

	private @Nullable WebClientTransport hubToAgent;

	@Nullable WebClientTransport http;

	@Nullable WebClientTransport h2c;

	final H2c.Stats h2cStats = new H2c.Stats();

	@Nullable WebClientTransport floor;

	@Nullable RSocketTransport rSocket;

	RawWebSocket.@Nullable Client raw;

	/**
	 * Start the hub here and launch the agent's JVM; {@link #ready()} waits for it.
	 * @param label names the pair in progress and in the report
	 * @param properties {@code property=value} for both applications
	 * @param full whether to build every transport, or only (b)
	 * @param oneWayDelay if given, route the connections through a proxy that delays each
	 * direction by this much
	 * @param settings the run's settings
	 * @param closer what to close at the very end
	 */
	SplitTopology(String label, List<String> properties, boolean full, @Nullable Duration oneWayDelay,
			BenchmarkSettings settings, Closer closer) {
		this.label = label;
		this.full = full;
		this.oneWayDelay = oneWayDelay;
		this.settings = settings;
		this.closer = closer;
		List<String> arguments = properties.stream().map((property) -> "--" + property).toList();
		this.agentName = "agent-" + label.replaceAll("[^A-Za-z0-9]+", "-");
		this.hub = Topology.startApplication("hub-" + label, arguments);
		closer.add(() -> Topology.exit(this.hub));
		this.hubPort = Topology.port(this.hub);
		int dialPort = this.hubPort;
		if (oneWayDelay != null) {
			DelayProxy proxy = new DelayProxy(this.hubPort, oneWayDelay, settings.proxyMaxInFlight());
			closer.add(proxy);
			dialPort = proxy.port();
		}
		List<String> agentArguments = new ArrayList<>(List.of("agent", this.agentName, Topology.socketUrl(dialPort)));
		agentArguments.addAll(arguments);
		this.agent = ChildJvm.launch(this.agentName, settings.childJvmOptions(), agentArguments);
		closer.add(this.agent);
	}

	/**
	 * Wait until the agent is connected, then build the transports (once).
	 * @return this topology
	 */
	synchronized SplitTopology ready() {
		if (this.hubToAgent != null) {
			return this;
		}
		this.agent.awaitReady(Duration.ofMinutes(2));
		SwaggerSocketConnection onHub = awaitConnection(this.hub.getBean(SwaggerSocketConnections.class),
				this.agentName, null);
		this.hubToAgent = new WebClientTransport(
				(this.oneWayDelay != null) ? Report.HUB_TO_AGENT + ", " + this.label : Report.HUB_TO_AGENT,
				this.hub.getBean(SwaggerSocketWebClients.class).webClient(onHub), true);
		if (this.oneWayDelay != null) {
			DelayProxy rawProxy = new DelayProxy(this.agent.port("raw"), this.oneWayDelay,
					this.settings.proxyMaxInFlight());
			this.closer.add(rawProxy);
			this.raw = new RawWebSocket.Client(Report.RAW_NAME + ", " + this.label, rawProxy.port());
		}
		if (this.full) {
			startFull(this.settings, this.closer);
		}
		return this;
	}

	/**
	 * Close the agent's connection on the hub and wait for the agent to dial a new one,
	 * which then carries (b): a connection that starts again from the declared windows,
	 * in a JVM already warmed up by the old one's transfers.
	 * @return (b) over the new connection
	 */
	synchronized WebClientTransport reconnect() {
		SwaggerSocketConnections connections = this.hub.getBean(SwaggerSocketConnections.class);
		SwaggerSocketConnection old = awaitConnection(connections, this.agentName, null);
		old.close().block(Duration.ofSeconds(30));
		SwaggerSocketConnection fresh = awaitConnection(connections, this.agentName, old);
		this.hubToAgent = new WebClientTransport(Objects.requireNonNull(this.hubToAgent).name(),
				this.hub.getBean(SwaggerSocketWebClients.class).webClient(fresh), true);
		return this.hubToAgent;
	}

	/**
	 * Return (b), the hub's {@code WebClient} over the agent's connection.
	 * @return the transport
	 */
	WebClientTransport hubToAgent() {
		return Objects.requireNonNull(ready().hubToAgent);
	}

	private void startFull(BenchmarkSettings settings, Closer closer) {
		WebClient.Builder builder = this.hub.getBeanProvider(WebClient.Builder.class)
			.getIfAvailable(WebClient::builder);
		int agentHttp = this.agent.port("http");

		// (a) a pool as large as the highest concurrency: HTTP/1.1 needs a connection per
		// request in flight
		ConnectionProvider pool = ConnectionProvider.builder("benchmark-http")
			.maxConnections(Math.max(16, settings.maxConcurrency()))
			.pendingAcquireMaxCount(-1)
			.build();
		closer.add(pool::dispose);
		this.http = new WebClientTransport(Report.HTTP,
				builder.clone()
					.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
					.baseUrl("http://127.0.0.1:" + agentHttp)
					.build(),
				false);

		// (c)
		RSocketRequester requester = this.hub.getBean(RSocketRequester.Builder.class)
			.dataMimeType(MediaType.APPLICATION_JSON)
			.websocket(URI.create("ws://127.0.0.1:" + agentHttp + "/rsocket"));
		closer.add(requester::dispose);
		this.rSocket = new RSocketTransport(requester);

		// (d)
		RawWebSocket.Client rawClient = new RawWebSocket.Client(this.agent.port("raw"));
		rawClient.connect().block(Duration.ofSeconds(10));
		this.raw = rawClient;

		// (e) Spring's HTTP model with no transport at all
		this.floor = new WebClientTransport(Report.FLOOR,
				builder.clone()
					.clientConnector(new HttpHandlerConnector(new FloorHandler(this.hub.getBean(HttpHandler.class))))
					.baseUrl("http://127.0.0.1")
					.build(),
				false);

		// (f)
		List<AutoCloseable> h2cResources = new ArrayList<>();
		this.h2c = new WebClientTransport(Report.H2C,
				H2c.client(builder.clone(), this.agent.port("h2c"), this.h2cStats, h2cResources), false);
		h2cResources.forEach(closer::add);
	}

	/**
	 * Return the transports the echo can use, by key.
	 * @return the built transports
	 */
	Map<String, Transport> echoTransports() {
		Map<String, Transport> transports = new LinkedHashMap<>();
		transports.put("hub-to-agent", hubToAgent());
		putIfBuilt(transports, "http", this.http);
		putIfBuilt(transports, "h2c", this.h2c);
		putIfBuilt(transports, "rsocket", this.rSocket);
		putIfBuilt(transports, "floor", this.floor);
		putIfBuilt(transports, "raw", this.raw);
		return transports;
	}

	/**
	 * Return the transports that can move large bodies, by key.
	 * @return the built transports
	 */
	Map<String, BulkTransport> bulkTransports() {
		Map<String, BulkTransport> transports = new LinkedHashMap<>();
		transports.put("hub-to-agent", hubToAgent());
		putIfBuilt(transports, "http", this.http);
		putIfBuilt(transports, "h2c", this.h2c);
		putIfBuilt(transports, "raw", this.raw);
		return transports;
	}

	private static <T> void putIfBuilt(Map<String, T> transports, String key, @Nullable T transport) {
		if (transport != null) {
			transports.put(key, transport);
		}
	}

	/**
	 * Watch a transfer: the CPU per MiB of the hub's process (with the load generator and
	 * any proxy) and of the agent's, and the caller's throughput over time, whose first
	 * intervals show how fast the windows opened.
	 * @return the probe
	 */
	LargeBodyRunner.Probe probe() {
		return new ProcessCpuProbe(List.of("hub", "agent"),
				() -> new long[] { LoadRunner.processCpuNanos(), this.agent.cpuNanos() });
	}

	/**
	 * The CPU time of both processes: this one (hub and load generator) and the agent's.
	 * @return nanoseconds
	 */
	long cpuNanos() {
		return LoadRunner.processCpuNanos() + this.agent.cpuNanos();
	}

	/**
	 * The time the JIT compilers of the hub's and the agent's JVMs have spent so far.
	 * @return milliseconds
	 */
	long compileMillis() {
		return LoadRunner.compileMillis() + this.agent.compileMillis();
	}

	private static SwaggerSocketConnection awaitConnection(SwaggerSocketConnections hubConnections, String name,
			@Nullable SwaggerSocketConnection not) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			for (SwaggerSocketConnection found : hubConnections.findByMetadata("name", name)) {
				if (found != not && found.isOpen()) {
					return found;
				}
			}
			Topology.sleep(20);
		}
		throw new IllegalStateException("The agent " + name + " did not connect to the hub within 30 s");
	}

}
