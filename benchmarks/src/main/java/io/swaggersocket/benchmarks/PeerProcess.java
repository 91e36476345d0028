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
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * The other JVM of a run: the agent (the echo application dialing the hub, plus the raw
 * WebSocket and h2c servers), or the dialer of the idle connections. Started by
 * {@link ChildJvm} as {@code Benchmarks child ROLE ...}; it prints one {@code READY} line
 * with its ports, then answers one line per command read from standard input:
 * {@code cpu}, {@code heap-start}, {@code heap-stop}, {@code dial}, {@code exit}. Its
 * logs go to standard error: standard output is the control channel. It exits when its
 * standard input ends, so it never outlives the parent.
 */
final class PeerProcess {

	/** The first argument that makes {@link Benchmarks#main} run this instead. */
	static final String ARGUMENT = "child";

	private PeerProcess() {
	}

	/**
	 * Run the child.
	 * @param args {@code agent NAME HUB-URL [--property=value ...]} or {@code dialer}
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
			awaitConnected(context.getBean(SwaggerSocketClient.class));
			DisposableServer raw = RawWebSocket.startServer();
			DisposableServer h2c = H2c.startServer(context.getBean(HttpHandler.class));
			ready.put("http", Topology.port(context));
			ready.put("raw", raw.port());
			ready.put("h2c", h2c.port());
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
		serve(control, dialer);
		if (dialer != null) {
			dialer.close();
		}
		if (context != null && context.isActive()) {
			SpringApplication.exit(context);
		}
		System.exit(0);
	}

	private static void serve(PrintStream control, @Nullable IdleConnectionsRunner dialer) throws Exception {
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		HeapMeter heap = null;
		String line;
		while ((line = commands.readLine()) != null) {
			String[] words = line.trim().split(" ", -1);
			switch (words[0]) {
				case "cpu" -> answer(control, "CPU " + LoadRunner.processCpuNanos());
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
				case "dial" -> {
					if (dialer == null) {
						answer(control, "ERROR not a dialer");
					}
					else {
						IdleConnectionsRunner.Dialed dialed = dialer.dial(URI.create(words[1]),
								Integer.parseInt(words[2]), Integer.parseInt(words[3]),
								Duration.ofMillis(Long.parseLong(words[4])));
						answer(control, "DIALED " + dialed.open() + " " + dialed.seconds() + " "
								+ dialed.handshakesPerSecond());
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

	private static void awaitConnected(SwaggerSocketClient client) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (client.getConnection().isEmpty()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The agent did not connect to the hub within 30 s");
			}
			Topology.sleep(20);
		}
	}

}
