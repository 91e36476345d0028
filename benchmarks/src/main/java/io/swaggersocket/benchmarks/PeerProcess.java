package io.swaggersocket.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.ConnectionLocation;
import io.swaggersocket.cluster.HubLinks;
import io.swaggersocket.connection.ConnectionStatistics;
import io.swaggersocket.connection.SwaggerSocketConnection;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The other JVM of a run: the agent (the echo application dialing the hub, plus the raw
 * WebSocket and h2c servers), a hub of the cluster section (the echo application with the
 * cluster and the gateway on), or the dialer of the idle connections. Started by
 * {@link ChildJvm} as {@code Benchmarks child ROLE ...}; it prints one {@code READY} line
 * with its ports, then answers one line per command read from standard input:
 * {@code cpu}, {@code heap-start}, {@code heap-stop}, {@code dial}, {@code churn},
 * {@code lookups}, {@code links}, {@code exit}. Its logs go to standard error: standard
 * output is the control channel. It exits when its standard input ends, so it never
 * outlives the parent.
 */
final class PeerProcess {

	/** The first argument that makes {@link Benchmarks#main} run this instead. */
	static final String ARGUMENT = "child";

	private PeerProcess() {
	}

	/**
	 * Run the child.
	 * @param args {@code agent NAME HUB-URL [--property=value ...]},
	 * {@code hub NAME [--property=value ...]} or {@code dialer}
	 * @throws Exception if it cannot start
	 */
	static void run(String[] args) throws Exception {
		PrintStream control = System.out;
		System.setOut(System.err);
		String role = args[0];
		Map<String, Object> ready = new LinkedHashMap<>();
		ConfigurableApplicationContext context = null;
		IdleConnectionsRunner dialer = null;
		if ("agent".equals(role)) {
			String name = args[1];
			List<String> properties = new java.util.ArrayList<>(List.of("--swaggersocket.client.url=" + args[2],
					"--swaggersocket.client.metadata.name=" + name, "--spring.rsocket.server.transport=websocket",
					"--spring.rsocket.server.mapping-path=/rsocket"));
			properties.addAll(Arrays.asList(args).subList(3, args.length));
			context = Topology.startApplication(name, properties);
			String connection = awaitConnected(context.getBean(SwaggerSocketClient.class));
			DisposableServer raw = RawWebSocket.startServer();
			DisposableServer h2c = H2c.startServer(context.getBean(HttpHandler.class));
			ready.put("http", Topology.port(context));
			ready.put("raw", raw.port());
			ready.put("h2c", h2c.port());
			ready.put("connection", connection);
		}
		else if ("hub".equals(role)) {
			// Boot's Redis is off in the other applications of the run: on here
			List<String> properties = new java.util.ArrayList<>(List.of("--spring.autoconfigure.exclude="));
			properties.addAll(Arrays.asList(args).subList(2, args.length));
			context = Topology.startApplication(args[1], properties);
			ready.put("http", Topology.port(context));
		}
		else if ("dialer".equals(role)) {
			// no Spring application here to apply logging.level.root=WARN: without it,
			// every one of thousands of connections logs at INFO
			LoggingSystem.get(PeerProcess.class.getClassLoader())
				.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.WARN);
			dialer = new IdleConnectionsRunner();
		}
		else {
			throw new IllegalArgumentException("Unknown role " + role);
		}
		ready.put("pid", ProcessHandle.current().pid());
		answer(control,
				"READY " + ready.entrySet()
					.stream()
					.map((entry) -> entry.getKey() + "=" + entry.getValue())
					.collect(Collectors.joining(" ")));
		serve(control, dialer, context);
		if (dialer != null) {
			dialer.close();
		}
		if (context != null && context.isActive()) {
			SpringApplication.exit(context);
		}
		System.exit(0);
	}

	private static void serve(PrintStream control, @Nullable IdleConnectionsRunner dialer,
			@Nullable ConfigurableApplicationContext context) throws Exception {
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		HeapMeter heap = null;
		String line;
		while ((line = commands.readLine()) != null) {
			String[] words = line.trim().split(" ", -1);
			switch (words[0]) {
				case "cpu" -> answer(control, "CPU " + LoadRunner.processCpuNanos() + " " + LoadRunner.compileMillis());
				case "heap-start" -> {
					heap = HeapMeter.start();
					answer(control, "OK");
				}
				case "heap-stop" -> {
					if (heap == null) {
						answer(control, "ERROR no heap-start");
					}
					else {
						heap.close();
						answer(control, "HEAP " + heap.peakGrowth() + " " + heap.peakLiveGrowth());
						heap = null;
					}
				}
				case "dial", "churn" -> {
					if (dialer == null) {
						answer(control, "ERROR not a dialer");
					}
					else {
						boolean churn = "churn".equals(words[0]);
						URI url = URI.create(words[1]);
						int count = Integer.parseInt(words[2]);
						int parallelism = Integer.parseInt(words[3]);
						Duration timeout = Duration.ofMillis(Long.parseLong(words[4]));
						IdleConnectionsRunner.Dialed dialed = churn ? dialer.churn(url, count, parallelism, timeout)
								: dialer.dial(url, count, parallelism, timeout);
						answer(control, (churn ? "CHURNED " : "DIALED ") + dialed.open() + " " + dialed.seconds() + " "
								+ dialed.handshakesPerSecond());
					}
				}
				case "lookups" -> {
					if (context == null || context.getBeanNamesForType(ConnectionDirectory.class).length == 0) {
						answer(control, "ERROR not a hub");
					}
					else {
						answer(control, "LOOKUPS " + lookUps(context.getBean(ConnectionDirectory.class), words[1],
								Integer.parseInt(words[2])));
					}
				}
				case "links" -> {
					if (context == null || context.getBeanNamesForType(HubLinks.class).length == 0) {
						answer(control, "ERROR not a hub");
					}
					else {
						answer(control, "LINKS" + links(context.getBean(HubLinks.class)));
					}
				}
				case "exit" -> {
					return;
				}
				default -> answer(control, "ERROR unknown command " + line);
			}
		}
	}

	private static void answer(PrintStream control, String line) {
		control.println(line);
		control.flush();
	}

	/**
	 * A hub's open links, each as {@code ROLE:ID:BYTES-IN:BYTES-OUT}: {@code CLIENT} for
	 * a link this hub dialed, {@code SERVER} for one another hub dialed to it.
	 */
	private static String links(HubLinks links) {
		StringBuilder answer = new StringBuilder();
		for (SwaggerSocketConnection link : links.connections()) {
			ConnectionStatistics statistics = link.statistics();
			answer.append(' ')
				.append(link.info().role())
				.append(':')
				.append(link.id())
				.append(':')
				.append(statistics.bytesInbound())
				.append(':')
				.append(statistics.bytesOutbound());
		}
		return answer.toString();
	}

	/** Wait for the connection and return its id (the hub's, as the agent sees it). */
	private static String awaitConnected(SwaggerSocketClient client) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (client.getConnection().isEmpty()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The agent did not connect to the hub within 30 s");
			}
			Topology.sleep(20);
		}
		return client.getConnection().get().id();
	}

	/**
	 * Time a hub's directory look-up of a connection another hub holds, one at a time:
	 * {@code count} with {@code locate} (each reads Redis), then {@code count} with
	 * {@code locateForCall}, which may answer the location kept from the look-up before,
	 * as the gateway's calls do.
	 * @return fresh p50, p99 and max, then kept p50, p99 and max, in nanoseconds
	 */
	private static String lookUps(ConnectionDirectory directory, String connectionId, int count) {
		Histogram fresh = new Histogram(3);
		Histogram kept = new Histogram(3);
		for (boolean isFresh : new boolean[] { true, false }) {
			Histogram histogram = isFresh ? fresh : kept;
			for (int i = 0; i < count; i++) {
				long start = System.nanoTime();
				Mono<ConnectionLocation> lookUp = isFresh ? directory.locate(connectionId)
						: directory.locateForCall(connectionId);
				if (lookUp.block(Duration.ofSeconds(10)) == null) {
					return "-1 -1 -1 -1 -1 -1";
				}
				histogram.recordValue(System.nanoTime() - start);
			}
		}
		return fresh.getValueAtPercentile(50) + " " + fresh.getValueAtPercentile(99) + " " + fresh.getMaxValue() + " "
				+ kept.getValueAtPercentile(50) + " " + kept.getValueAtPercentile(99) + " " + kept.getMaxValue();
	}

}
