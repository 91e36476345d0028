package io.swaggersocket.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.sun.management.UnixOperatingSystemMXBean;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Runs the benchmark and prints its markdown report on standard output (progress goes to
 * standard error). Settings come from {@code bench.*} system properties, see
 * {@link BenchmarkSettings} and docs/benchmarks.md; {@code -Dbench.output=FILE} also
 * writes the report to a file.
 */
public final class Benchmarks {

	/**
	 * The compile time, summed over the cluster's four JVMs, below which a round of load
	 * (4 s) counts as quiet: under 2% of one CPU per JVM.
	 */
	private static final long CLUSTER_QUIET_COMPILE_MILLIS = 300;

	/**
	 * The compile time, summed over the hub's and the agent's JVMs, below which a round
	 * of large transfers (a new connection, then a large body each way, in the
	 * head-of-line and the long-link sections: a few seconds) counts as quiet.
	 */
	static final long TRANSFER_QUIET_COMPILE_MILLIS = 150;

	/**
	 * The compile time, summed over the JVMs of an echo table, below which a round of
	 * every cell ({@link #ECHO_SETTLE_CELL} each: 12 s for six transports at four
	 * concurrencies) counts as quiet.
	 */
	private static final long ECHO_QUIET_COMPILE_MILLIS = 200;

	/** How long each cell runs in a round of the echo's settle. */
	private static final Duration ECHO_SETTLE_CELL = Duration.ofMillis(500);

	/**
	 * Quiet rounds in a row after which the JVMs count as settled.
	 */
	static final int QUIET_ROUNDS = 2;

	private static final long STARTED = System.nanoTime();

	private Benchmarks() {
	}

	/**
	 * Run with the settings from system properties, or, with {@code child} as the first
	 * argument, as the agent or dialer JVM of a run (see {@link PeerProcess}).
	 * @param args none, or the child's arguments
	 * @throws Exception if the run cannot complete
	 */
	public static void main(String[] args) throws Exception {
		if (args.length > 0 && PeerProcess.ARGUMENT.equals(args[0])) {
			PeerProcess.run(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		// standard output is for the report alone: the hubs' logs go to standard error
		PrintStream reportOut = System.out;
		System.setOut(System.err);
		BenchmarkSettings settings = BenchmarkSettings.fromSystemProperties();
		String report = Report.markdown(run(settings));
		reportOut.println(report);
		reportOut.flush();
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
	 */
	static Results run(BenchmarkSettings settings) {
		progress("SwaggerSocket benchmark: " + settings.describe());
		progress("Machine: " + Report.machine());
		Results results = new Results(settings);
		results.loadAtStart = loadAverage();
		long start = System.nanoTime();
		try (Closer closer = new Closer()) {
			boolean full = settings.runs("echo") || settings.runs("large");
			// every JVM the run needs starts now, in parallel: they idle until their part
			SplitTopology main = (full || settings.runs("hol") || settings.runs("idle"))
					? new SplitTopology("main", List.of(), full, null, settings, closer) : null;
			SplitTopology largeWindows = null;
			if (settings.runs("hol")) {
				String bytes = settings.holLargeWindow() + "B";
				largeWindows = new SplitTopology("windows-" + settings.holLargeWindow(),
						List.of("swaggersocket.limits.initial-stream-window=" + bytes,
								"swaggersocket.limits.connection-window=" + bytes),
						false, null, settings, closer);
			}
			SplitTopology longLink = settings.runs("rtt")
					? new SplitTopology(Report.rtt(settings), List.of(), false, settings.rttDelay(), settings, closer)
					: null;
			ClusterTopology cluster = null;
			if (settings.runs("cluster")) {
				cluster = ClusterTopology.start(settings, closer);
				if (cluster == null) {
					results.clusterSkipped = "redis-server is not installed (apt-get install redis-server, or "
							+ "-Dbench.cluster.redis-server=PATH)";
					progress("Cluster section skipped: " + results.clusterSkipped);
				}
			}
			ChildJvm dialer = null;
			if (main != null && settings.runs("idle")) {
				dialer = ChildJvm.launch("dialer", settings.childJvmOptions(), List.of("dialer"));
				closer.add(dialer);
			}
			if (main != null) {
				main.ready();
				progress("Hub on port " + main.hubPort + " in this JVM, " + main.agent + " connected");
			}
			if (main != null && settings.runs("echo")) {
				echo(settings, main, results);
			}
			if (main != null && settings.runs("large")) {
				large(settings, main, results);
			}
			if (main != null && largeWindows != null) {
				headOfLine(settings, main, "default", results);
				headOfLine(settings, largeWindows, Report.size(settings.holLargeWindow()), results);
			}
			if (longLink != null) {
				longLink(settings, longLink.ready(), results);
			}
			if (settings.runs("local")) {
				local(settings, closer, results);
			}
			if (cluster != null) {
				cluster(settings, cluster, results);
			}
			if (main != null && dialer != null) {
				progress("Idle connections: opening " + settings.idleConnections() + " from a dialer JVM");
				warnIfTooFewFileDescriptors(settings.idleConnections());
				dialer.awaitReady(Duration.ofMinutes(1));
				results.idle = IdleConnectionsRunner.measure(main.hubPort,
						main.hub.getBean(SwaggerSocketConnections.class), dialer, settings);
				progress("  " + results.idle);
				// alone, before the other children: with every JVM stopping at once,
				// the dialer's orderly close of its connections outlasted the wait for
				// it, and the hub logged each connection cut short as a failure
				long closing = System.nanoTime();
				dialer.close();
				progress(String.format("  The dialer closed its connections and exited in %.1f s",
						(System.nanoTime() - closing) / 1e9));
			}
			if (main != null) {
				results.h2cStats = main.h2cStats;
			}
		}
		results.loadAtEnd = loadAverage();
		progress(String.format("Done in %.0f s", (System.nanoTime() - start) / 1e9));
		return results;
	}

	private static void echo(BenchmarkSettings settings, SplitTopology topology, Results results) {
		List<Transport> transports = selected(settings, topology.echoTransports(),
				List.of("http", "h2c", "hub-to-agent", "rsocket", "floor", "raw"));
		echo(settings, transports, settings.warmup(), settings.concurrencies(), topology::cpuNanos, results.echo, null,
				settings.echoSettle(), topology::compileMillis);
		results.h2cCheck = topology.h2cStats.toString();
		progress("  h2c: " + results.h2cCheck);
	}

	/**
	 * Warm up in rounds over all transports, so that every transport's classes are seen
	 * before anything is measured (a type first seen late deoptimizes shared code), then
	 * settle: rounds of every cell, shortened, until the compilers go quiet. Then measure
	 * every cell: concurrency outside, transports inside, so that drift on a shared
	 * machine spreads over all transports.
	 */
	private static void echo(BenchmarkSettings settings, List<Transport> transports, Duration warmup,
			List<Integer> concurrencies, LongSupplier cpu, Map<String, Map<Integer, LoadRunner.Cell>> table,
			@Nullable Function<LoadRunner.Cell, String> detail, Duration settle, LongSupplier compileMillis) {
		int rounds = (int) Math.max(1, Math.min(5, warmup.toMillis() / 2000));
		Duration slice = warmup.dividedBy(rounds);
		progress("Warming up " + transports.stream().map(Transport::name).toList() + ": " + rounds + " round(s) of "
				+ slice.toMillis() + " ms each");
		for (int round = 0; round < rounds; round++) {
			for (Transport transport : transports) {
				LoadRunner.run(transport, Math.min(64, settings.maxConcurrency()), slice, cpu);
			}
		}
		if (!settle.isZero()) {
			// the warm-up at one concurrency left the first cells measured with the
			// compilers still running (h2c at c=16 once cost 574 CPU µs a request, 89-137
			// in runs that settled): each round runs every cell for a moment, at every
			// concurrency, since what runs differs with it (the socket hands requests
			// to other event loops only under load)
			Settled settled = settle(settle, ECHO_QUIET_COMPILE_MILLIS, compileMillis, () -> {
				for (int concurrency : concurrencies) {
					for (Transport transport : transports) {
						LoadRunner.run(transport, concurrency, ECHO_SETTLE_CELL, cpu);
					}
				}
			});
			progress("  " + settled.state() + " after " + settled.rounds() + " round(s) of every cell for "
					+ ECHO_SETTLE_CELL.toMillis() + " ms, " + settled.seconds() + " s: the compilers spent "
					+ settled.compiledMillis() + " ms in the last round");
		}
		for (int concurrency : concurrencies) {
			for (Transport transport : transports) {
				LoadRunner.Cell cell = LoadRunner.run(transport, concurrency, settings.duration(), cpu);
				table.computeIfAbsent(transport.name(), (name) -> new LinkedHashMap<>()).put(concurrency, cell);
				progress(String.format(
						"  %-50s c=%-4d %,10.0f req/s  p50 %s ms  p99 %s ms  p99.9 %s ms  %,.0f CPU µs/req  errors %d",
						transport.name(), concurrency, cell.requestsPerSecond(),
						Report.millis(cell.percentileMillis(50)), Report.millis(cell.percentileMillis(99)),
						Report.millis(cell.percentileMillis(99.9)), cell.cpuMicrosPerRequest(), cell.errors()));
				if (detail != null) {
					progress(detail.apply(cell));
				}
			}
		}
		// the table lists transports in this order, whatever order the cells ran in
		table.keySet().retainAll(transports.stream().map(Transport::name).toList());
	}

	private static <T> List<T> selected(BenchmarkSettings settings, Map<String, T> byKey, List<String> order) {
		return order.stream()
			.filter(settings.transports()::contains)
			.filter(byKey::containsKey)
			.map(byKey::get)
			.toList();
	}

	private static void large(BenchmarkSettings settings, SplitTopology topology, Results results) {
		List<BulkTransport> transports = selected(settings, topology.bulkTransports(),
				List.of("http", "h2c", "hub-to-agent", "raw"));
		if (!settings.largeSettle().isZero()) {
			// one unmeasured transfer per row was not enough: the median of 41 measured
			// transfers of 256 MiB after it came out 1.7x the median of 7, for
			// SwaggerSocket's download and raw WebSocket's alike, and a 6 GiB transfer
			// found the hub's and the agent's C2 compilers each still busy a quarter of a
			// processor; the echo before warms none of this code
			Settled settled = settle(settings.largeSettle(), TRANSFER_QUIET_COMPILE_MILLIS, topology::compileMillis,
					() -> {
						for (String direction : List.of("download", "upload")) {
							for (BulkTransport transport : transports) {
								LargeBodyRunner.warmUp(transport, direction, settings.largeBodySize(),
										settings.transferTimeout());
							}
						}
					});
			progress("  Hub and agent " + settled.state() + " for large bodies after " + settled.rounds()
					+ " round(s) of " + Report.size(settings.largeBodySize()) + " each way on every row, "
					+ settled.seconds() + " s: their compilers spent " + settled.compiledMillis()
					+ " ms in the last round");
		}
		for (String direction : List.of("download", "upload")) {
			for (BulkTransport transport : transports) {
				LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction, settings.largeBodySize(),
						settings.largeRepeat(), settings.transferTimeout(), topology.agent);
				results.large.add(transfer);
				progress(transfer);
			}
		}
	}

	private static void progress(LargeBodyRunner.Transfer transfer) {
		progress(String.format("  %-50s %-8s %,8.1f MiB/s  peak heap +%s here, +%s in the agent%s",
				transfer.transport(), transfer.direction(), transfer.mibPerSecond(),
				Report.size(transfer.peakHeapGrowth()), Report.size(transfer.peerPeakHeapGrowth()),
				(transfer.error() != null) ? "  FAILED " + transfer.error() : ""));
	}

	private static void headOfLine(BenchmarkSettings settings, SplitTopology topology, String windows,
			Results results) {
		// the large-window agent's JVM is new, and the other one's code for small
		// requests during a transfer has not run yet: both rows first move bodies with
		// small requests beside them, unmeasured, so that no row times the JIT compiling
		// (the long link's rows do the same); then the agent dials again, and the
		// measured transfers start on a connection whose windows have not grown yet
		// the agent's JVM answers questions (its compile time) once it is ready
		topology.ready();
		if (settings.holSettle().isZero()) {
			long warmUp = Math.max(1, settings.largeBodySize() / 4);
			for (String direction : List.of("download", "upload")) {
				HeadOfLineRunner.Result result = HeadOfLineRunner.run(topology.hubToAgent(), windows, direction, warmUp,
						settings.holConcurrency(), settings.transferTimeout());
				progress(
						String.format("  (warm-up) head-of-line, %s windows, during %s: %d small requests, %,.1f MiB/s",
								windows, direction, result.small().requests(), result.mibPerSecond()));
			}
		}
		else {
			// one quarter-size transfer each way was not enough: a recording of the
			// measured download showed both JVMs' C2 compilers busy and the CPUs half
			// idle, the body waiting on code not compiled yet. Each round starts on a new
			// connection, as the measured transfers do: rounds on the first one alone
			// ran with windows grown long before, and a trace of the measured transfers
			// after them still found the compilers running
			Settled settled = settle(settings.holSettle(), TRANSFER_QUIET_COMPILE_MILLIS, topology::compileMillis,
					() -> {
						WebClientTransport fresh = topology.reconnect();
						for (String direction : List.of("download", "upload")) {
							HeadOfLineRunner.run(fresh, windows, direction, settings.largeBodySize(),
									settings.holConcurrency(), settings.transferTimeout());
						}
					});
			progress("  Hub and agent " + settled.state() + " for head-of-line, " + windows + " windows, after "
					+ settled.rounds() + " round(s) of a new connection and " + Report.size(settings.largeBodySize())
					+ " each way with small requests beside them, " + settled.seconds() + " s: their compilers spent "
					+ settled.compiledMillis() + " ms in the last round");
		}
		WebClientTransport transport = topology.reconnect();
		for (String direction : List.of("download", "upload")) {
			HeadOfLineRunner.Result result = HeadOfLineRunner.run(transport, windows, direction,
					settings.largeBodySize(), settings.holConcurrency(), settings.transferTimeout());
			results.headOfLine.add(result);
			progress(String.format(
					"  head-of-line, %s windows, during %s: %d small requests, p99 %s ms, max %s ms, %,.1f MiB/s%s",
					windows, direction, result.small().requests(), Report.millis(result.small().percentileMillis(99)),
					Report.millis(result.small().maxMillis()), result.mibPerSecond(),
					(result.error() != null) ? "  FAILED " + result.error() : ""));
		}
	}

	private static void longLink(BenchmarkSettings settings, SplitTopology link, Results results) {
		progress("Long link: a hub and an agent through a proxy delaying each direction by "
				+ settings.rttDelay().toMillis() + " ms");
		RawWebSocket.Client raw = java.util.Objects.requireNonNull(link.raw);
		// the agent's JVM is new: every row moves bodies each way through the proxy
		// first, unmeasured, so that no row is timed while the JIT compiles its code;
		// then the agent dials again, and the measured transfers start on a connection
		// whose windows have not grown yet
		if (settings.rttSettle().isZero()) {
			long warmUp = Math.max(1, settings.rttBodySize() / 4);
			for (String direction : List.of("download", "upload")) {
				for (BulkTransport transport : List.of(link.hubToAgent(), raw)) {
					LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction, warmUp,
							settings.transferTimeout(), null);
					progress("  (warm-up) " + transfer.transport() + " " + direction + " "
							+ String.format("%,.1f MiB/s", transfer.mibPerSecond()));
				}
			}
		}
		else {
			// a quarter-size transfer each way left the JIT compiling through the
			// measured transfers: in rounds of whole bodies, the compilers spent 8.8 s
			// in the first, where SwaggerSocket's download moved 137 MiB/s, and 350
			// once they went quiet. Each round starts on a new connection, as the
			// measured transfers do, so that the windows' growth runs compiled too
			Settled settled = settle(settings.rttSettle(), TRANSFER_QUIET_COMPILE_MILLIS, link::compileMillis, () -> {
				long compiledBefore = link.compileMillis();
				WebClientTransport fresh = link.reconnect();
				StringBuilder rates = new StringBuilder();
				for (String direction : List.of("download", "upload")) {
					rates.append(direction);
					for (BulkTransport transport : List.of(fresh, raw)) {
						LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction,
								settings.rttBodySize(), settings.transferTimeout(), null);
						rates.append(String.format(" %,.1f", transfer.mibPerSecond()));
					}
					rates.append(" MiB/s; ");
				}
				progress("  (settling) SwaggerSocket and raw WebSocket " + rates + "compilers "
						+ (link.compileMillis() - compiledBefore) + " ms");
			});
			progress("  Hub and agent " + settled.state() + " for the long link after " + settled.rounds()
					+ " round(s) of a new connection and " + Report.size(settings.rttBodySize())
					+ " each way through every row, " + settled.seconds() + " s: their compilers spent "
					+ settled.compiledMillis() + " ms in the last round");
		}
		WebClientTransport hubToAgent = link.reconnect();
		for (String direction : List.of("download", "upload")) {
			for (BulkTransport transport : List.of(hubToAgent, raw)) {
				// the raw rows' bytes are counted in the agent's JVM alone: no trace here
				LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction, settings.rttBodySize(),
						settings.transferTimeout(), null, (transport == hubToAgent) ? link.probe() : null);
				results.longLink.add(transfer);
				progress(transfer);
			}
		}
	}

	private static void local(BenchmarkSettings settings, Closer closer, Results results) {
		progress("One JVM: hub and agent both in this JVM");
		Topology topology = new Topology(settings.maxConcurrency());
		closer.add(topology);
		List<Transport> transports = selected(
				settings, Map.of("http", topology.http, "hub-to-agent", topology.hubToAgent, "agent-to-hub",
						topology.agentToHub, "rsocket", topology.rSocket),
				List.of("http", "hub-to-agent", "agent-to-hub", "rsocket"));
		echo(settings, transports, settings.localWarmup(), settings.localConcurrencies(), LoadRunner::processCpuNanos,
				results.localEcho, null, settings.echoSettle(), LoadRunner::compileMillis);
	}

	/**
	 * The same outside call through hub A's gateway to its own agent, and through hub
	 * B's, which forwards it to hub A: echo, large bodies, then hub B's directory
	 * look-ups timed alone.
	 */
	private static void cluster(BenchmarkSettings settings, ClusterTopology cluster, Results results) {
		cluster.ready();
		progress("Cluster: redis-server on port " + cluster.redis.port + ", hub A on port " + cluster.hubA.port("http")
				+ " holding the agent's connection " + cluster.agentId() + ", hub B on port "
				+ cluster.hubB.port("http"));
		List<Transport> rows = List.of(cluster.sameHub(), cluster.crossHub());
		settle(settings, cluster, rows);
		// settled above, by the cluster's own rounds
		echo(settings, rows, settings.clusterWarmup(), settings.clusterConcurrencies(), cluster::cpuNanos,
				results.clusterEcho, cluster::cpuSplit, Duration.ZERO, cluster::compileMillis);
		ClusterTopology.LookUps lookUps = cluster.lookUps(settings.clusterLookUps());
		results.clusterLookUps = lookUps;
		progress(String.format(Locale.ROOT,
				"  hub B's directory look-up, %d one at a time: fresh (Redis) p50 %s ms p99 %s ms, kept p50 %s ms "
						+ "p99 %s ms",
				lookUps.count(), Report.millis(lookUps.freshP50() / 1e6), Report.millis(lookUps.freshP99() / 1e6),
				Report.millis(lookUps.keptP50() / 1e6), Report.millis(lookUps.keptP99() / 1e6)));
		settleLargeBodies(settings, cluster);
		for (String direction : List.of("download", "upload")) {
			for (WebClientTransport transport : List.of(cluster.sameHub(), cluster.crossHub())) {
				LargeBodyRunner.Transfer transfer = LargeBodyRunner.run(transport, direction, settings.largeBodySize(),
						settings.clusterLargeRepeat(), settings.transferTimeout(), cluster.probe(transport));
				results.clusterLarge.add(transfer);
				progress(String.format("  %-50s %-8s %,8.1f MiB/s (median)%s", transfer.transport(),
						transfer.direction(), transfer.mibPerSecond(),
						(transfer.error() != null) ? "  FAILED " + transfer.error() : ""));
			}
		}
	}

	/**
	 * Load the cluster's rows, in rounds, until the four JVMs' compilers go quiet or the
	 * bound passes. Four JVMs on two CPUs compile for longer than the warm-up: measured
	 * meanwhile, a cell counts the compilers' time as CPU per request, and each row's
	 * throughput depends on how far each JVM has got (hub B only warms in the cross-hub
	 * row).
	 */
	private static void settle(BenchmarkSettings settings, ClusterTopology cluster, List<Transport> rows) {
		if (settings.clusterSettle().isZero()) {
			return;
		}
		Duration slice = Duration.ofSeconds(2);
		Settled settled = settle(settings, cluster, () -> {
			for (Transport row : rows) {
				LoadRunner.run(row, 64, slice);
			}
		});
		progress("Cluster JVMs " + settled.state() + ": their compilers spent " + settled.compiledMillis()
				+ " ms in the last " + slice.multipliedBy(rows.size()).toSeconds() + " s of load");
	}

	/**
	 * Move bodies of the measured size through both rows, both ways, in rounds, until the
	 * four JVMs' compilers go quiet or the bound passes. The echo's load never runs the
	 * paths of a large body (a gateway reading a request body of thousands of buffers, a
	 * hub relaying a body between its link and the agent's socket), and one warm-up
	 * transfer per row does not compile them either: traced, the JVMs compiled for
	 * seconds through the measured transfers, each transfer faster than the one before,
	 * and the rows, measured one after the other, met the compilers at different stages.
	 * Rounds of a quarter of the size went quiet once and then left hub B's C2 to
	 * recompile its HTTP decoder during a measured upload (0.86 s in a JFR recording):
	 * the rounds now move what the measurement moves.
	 */
	private static void settleLargeBodies(BenchmarkSettings settings, ClusterTopology cluster) {
		if (settings.clusterSettle().isZero()) {
			return;
		}
		long size = settings.largeBodySize();
		Settled settled = settle(settings, cluster, () -> {
			for (String direction : List.of("download", "upload")) {
				for (WebClientTransport row : List.of(cluster.sameHub(), cluster.crossHub())) {
					Mono<Long> transfer = "download".equals(direction) ? row.download(size) : row.upload(size);
					transfer.block(settings.transferTimeout());
				}
			}
		});
		progress("Cluster JVMs " + settled.state() + " for large bodies after " + settled.rounds() + " round(s) of "
				+ Report.size(size) + " each way through each row, " + settled.seconds() + " s: their compilers spent "
				+ settled.compiledMillis() + " ms in the last round");
	}

	/**
	 * Run rounds of load until the cluster's four compilers together spend no more than
	 * {@value #CLUSTER_QUIET_COMPILE_MILLIS} ms in each of {@value #QUIET_ROUNDS} rounds
	 * in a row, or {@code bench.cluster.settle} passes. One quiet round is not enough: a
	 * method compiled with a profile of the first rounds can still be deoptimized and
	 * compiled again a round later.
	 * @param round one round of load
	 * @return what the rounds showed
	 */
	private static Settled settle(BenchmarkSettings settings, ClusterTopology cluster, Runnable round) {
		return settle(settings.clusterSettle(), CLUSTER_QUIET_COMPILE_MILLIS, cluster::compileMillis, round);
	}

	/**
	 * Run rounds of load until the JVMs' compilers together spend no more than
	 * {@code quietMillis} in each of {@value #QUIET_ROUNDS} rounds in a row, or the bound
	 * passes.
	 * @param bound the longest it may load
	 * @param quietMillis the compile time below which a round counts as quiet
	 * @param compileMillis the compile time so far of every JVM taking part
	 * @param round one round of load
	 * @return what the rounds showed
	 */
	static Settled settle(Duration bound, long quietMillis, LongSupplier compileMillis, Runnable round) {
		long started = System.nanoTime();
		long deadline = started + bound.toNanos();
		long compiled = Long.MAX_VALUE;
		int rounds = 0;
		int quietInARow = 0;
		while (quietInARow < QUIET_ROUNDS && System.nanoTime() < deadline) {
			long before = compileMillis.getAsLong();
			round.run();
			compiled = compileMillis.getAsLong() - before;
			quietInARow = (compiled <= quietMillis) ? quietInARow + 1 : 0;
			rounds++;
		}
		return new Settled(rounds, compiled, quietInARow >= QUIET_ROUNDS,
				(System.nanoTime() - started) / 1_000_000_000);
	}

	/**
	 * How settling went.
	 *
	 * @param rounds the rounds of load run
	 * @param compiledMillis the compilers' time in the last round
	 * @param quiet whether the last rounds were quiet enough in a row
	 * @param seconds how long it took
	 */
	record Settled(int rounds, long compiledMillis, boolean quiet, long seconds) {

		String state() {
			return this.quiet ? "settled" : "still compiling";
		}

	}

	/**
	 * The hub here and the dialer in its JVM each take one file descriptor per idle
	 * connection; the dialer inherits this process's limit.
	 */
	private static void warnIfTooFewFileDescriptors(int connections) {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
			long needed = connections + 1000L;
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
		System.err.printf(Locale.ROOT, "[%6.1f s] %s%n", (System.nanoTime() - STARTED) / 1e9, message);
	}

}
