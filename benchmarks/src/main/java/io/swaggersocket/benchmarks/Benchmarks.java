package io.swaggersocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.sun.management.UnixOperatingSystemMXBean;
import io.swaggersocket.connection.SwaggerSocketConnections;

/**
 * Runs the benchmark and prints its markdown report on standard output (progress goes to
 * standard error). Settings come from {@code bench.*} system properties, see
 * {@link BenchmarkSettings} and docs/benchmarks.md; {@code -Dbench.output=FILE} also
 * writes the report to a file.
 */
public final class Benchmarks {

	private Benchmarks() {
	}

	/**
	 * Run with the settings from system properties.
	 * @param args ignored
	 * @throws Exception if the run cannot complete
	 */
	public static void main(String[] args) throws Exception {
		BenchmarkSettings settings = BenchmarkSettings.fromSystemProperties();
		String report = Report.markdown(run(settings));
		System.out.println(report);
		String output = System.getProperty("bench.output");
		if (output != null && !output.isBlank()) {
			Files.writeString(Path.of(output), report, StandardCharsets.UTF_8);
		}
		// the Spring contexts are closed; end the JVM even if a stray non-daemon thread
		// lingers
		System.exit(0);
	}

	/**
	 * Run every section the settings ask for, then close everything.
	 * @param settings the settings
	 * @return the measurements
	 * @throws InterruptedException if interrupted
	 */
	static Results run(BenchmarkSettings settings) throws InterruptedException {
		allowIdleConnections(settings.idleConnections());
		progress("SwaggerSocket benchmark: " + settings.describe());
		progress("Machine: " + Report.machine());
		Results results = new Results(settings);
		results.loadAtStart = loadAverage();
		long start = System.nanoTime();
		try (Topology topology = new Topology(settings.maxConcurrency())) {
			progress("Hub on port " + topology.hubPort + ", agent connected");
			if (settings.runs("echo")) {
				echo(settings, topology, results);
			}
			if (settings.runs("large")) {
				large(settings, topology, results);
			}
			if (settings.runs("hol")) {
				headOfLine(settings, topology, results);
			}
			if (settings.runs("idle")) {
				try (IdleConnectionsRunner idle = IdleConnectionsRunner.create(settings)) {
					progress("Idle connections: opening " + settings.idleConnections());
					warnIfTooFewFileDescriptors(settings.idleConnections());
					results.idle = idle.measure(topology.hubPort, topology.hub.getBean(SwaggerSocketConnections.class),
							settings);
					progress("  " + results.idle);
				}
			}
		}
		results.loadAtEnd = loadAverage();
		progress(String.format("Done in %.0f s", (System.nanoTime() - start) / 1e9));
		return results;
	}

	private static void echo(BenchmarkSettings settings, Topology topology, Results results) {
		List<Transport> transports = selected(settings,
				Map.of("http", topology.http, "hub-to-agent", topology.hubToAgent, "agent-to-hub", topology.agentToHub,
						"rsocket", topology.rSocket, "raw", topology.raw),
				List.of("http", "hub-to-agent", "agent-to-hub", "rsocket", "raw"));
		for (Transport transport : transports) {
			progress("Warming up " + transport.name());
			LoadRunner.run(transport, Math.min(64, settings.maxConcurrency()), settings.warmup());
		}
		// concurrency outside, transports inside: drift on a shared machine spreads over
		// all transports
		for (int concurrency : settings.concurrencies()) {
			for (Transport transport : transports) {
				LoadRunner.Cell cell = LoadRunner.run(transport, concurrency, settings.duration());
				results.add(transport.name(), concurrency, cell);
				progress(String.format(
						"  %-50s c=%-4d %,10.0f req/s  p50 %s ms  p99 %s ms  p99.9 %s ms  %,.0f CPU µs/req  errors %d",
						transport.name(), concurrency, cell.requestsPerSecond(),
						Report.millis(cell.percentileMillis(50)), Report.millis(cell.percentileMillis(99)),
						Report.millis(cell.percentileMillis(99.9)), cell.cpuMicrosPerRequest(), cell.errors()));
			}
		}
		// the echo table lists transports in this order, whatever order the cells ran in
		results.echo.keySet().retainAll(transports.stream().map(Transport::name).toList());
	}

	private static <T> List<T> selected(BenchmarkSettings settings, Map<String, T> byKey, List<String> order) {
		return order.stream().filter(settings.transports()::contains).map(byKey::get).toList();
	}

	private static void large(BenchmarkSettings settings, Topology topology, Results results) {
		List<BulkTransport> transports = selected(
				settings, Map.of("http", topology.http, "hub-to-agent", topology.hubToAgent, "agent-to-hub",
						topology.agentToHub, "raw", topology.raw),
				List.of("http", "hub-to-agent", "agent-to-hub", "raw"));
		for (String direction : List.of("download", "upload")) {
			for (BulkTransport transport : transports) {
				LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction, settings.largeBodySize(),
						settings.largeRepeat(), settings.transferTimeout());
				results.large.add(transfer);
				progress(String.format("  %-50s %-8s %,8.1f MiB/s  peak heap +%s  live +%s%s", transport.name(),
						direction, transfer.mibPerSecond(), Report.size(transfer.peakHeapGrowth()),
						Report.size(transfer.peakLiveGrowth()),
						(transfer.error() != null) ? "  FAILED " + transfer.error() : ""));
			}
		}
	}

	private static void headOfLine(BenchmarkSettings settings, Topology topology, Results results) {
		for (String direction : List.of("download", "upload")) {
			HeadOfLineRunner.Result result = HeadOfLineRunner.run(topology.hubToAgent, direction,
					settings.largeBodySize(), settings.holConcurrency(), settings.transferTimeout());
			results.headOfLine.add(result);
			progress(String.format("  head-of-line during %s: %d small requests, p99 %s ms, max %s ms, %,.1f MiB/s%s",
					direction, result.small().requests(), Report.millis(result.small().percentileMillis(99)),
					Report.millis(result.small().maxMillis()), result.mibPerSecond(),
					(result.error() != null) ? "  FAILED " + result.error() : ""));
		}
	}

	/**
	 * SwaggerSocketClient dials through Reactor Netty's global connection pool, where
	 * every open WebSocket holds a slot: with the pool's default, no more than 500
	 * connections to one hub can be open from one JVM (the next dials wait and time out).
	 * Raise the pool's limit for this run unless it is set already; it only works before
	 * Reactor Netty's pool classes are initialized.
	 */
	private static void allowIdleConnections(int idleConnections) {
		String property = "reactor.netty.pool.maxConnections";
		if (System.getProperty(property) == null && idleConnections >= 400) {
			System.setProperty(property, Integer.toString(idleConnections + 100));
			progress("Set -D" + property + "=" + (idleConnections + 100)
					+ ": the client's global pool otherwise stops at 500 connections per JVM and hub");
		}
	}

	/** Both ends are in this JVM: every idle connection takes two file descriptors. */
	private static void warnIfTooFewFileDescriptors(int connections) {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
			long needed = 2L * connections + 500;
			if (unix.getMaxFileDescriptorCount() < needed) {
				progress("Warning: " + connections + " idle connections need about " + needed
						+ " file descriptors in this JVM, the limit is " + unix.getMaxFileDescriptorCount()
						+ " (raise it with ulimit -n); some connections will fail");
			}
		}
	}

	private static double loadAverage() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	static void progress(String message) {
		System.err.println(message);
	}

}
