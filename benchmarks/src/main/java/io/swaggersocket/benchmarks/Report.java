package io.swaggersocket.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * Renders {@link Results} as markdown: the machine, one table per measurement, and the
 * figures set against the targets of issue 10 (and of issue 11 for the cluster section).
 */
final class Report {

	static final String HTTP = "(a) HTTP/1.1 WebClient, pooled";

	static final String HUB_TO_AGENT = "(b) SwaggerSocket hub→agent";

	static final String AGENT_TO_HUB = "(b) SwaggerSocket agent→hub";

	static final String RSOCKET = "(c) RSocket request-response over WebSocket";

	static final String RAW_NAME = "(d) raw Reactor Netty WebSocket";

	static final String RAW = RAW_NAME + " (ceiling)";

	static final String FLOOR = "(e) in-process floor: WebClient → HttpHandler, no transport";

	static final String H2C = "(f) HTTP/2 cleartext (h2c), one connection";

	static final String SAME_HUB = "same hub: caller → hub A's gateway → agent";

	static final String CROSS_HUB = "cross hub: caller → hub B's gateway → hub A → agent";

	/** The rows that pay Spring's HTTP model on both sides, as the floor does. */
	static final Set<String> HTTP_MODEL = Set.of(HTTP, HUB_TO_AGENT, AGENT_TO_HUB, H2C);

	private Report() {
	}

	static String markdown(Results results) {
		StringBuilder out = new StringBuilder();
		out.append("## SwaggerSocket benchmark\n\n");
		out.append("Machine: ").append(machine()).append("\n\n");
		out.append("Run: ").append(results.settings.describe()).append(".\n\n");
		out.append(String.format(Locale.ROOT, "System load average (1 min) at start %.2f, at end %.2f, on %d CPUs: ",
				results.loadAtStart, results.loadAtEnd, Runtime.getRuntime().availableProcessors()))
			.append("hub, agent and load generator share them, and anything else running on the machine ")
			.append("competes with the run.\n\n");
		if (!results.echo.isEmpty()) {
			echo(results, out);
		}
		if (!results.large.isEmpty()) {
			large(results, out);
		}
		if (!results.headOfLine.isEmpty()) {
			headOfLine(results, out);
		}
		if (!results.longLink.isEmpty()) {
			longLink(results, out);
		}
		if (results.idle != null) {
			idle(results, results.idle, out);
		}
		if (!results.localEcho.isEmpty()) {
			localEcho(results, out);
		}
		if (!results.clusterEcho.isEmpty() || results.clusterSkipped != null) {
			cluster(results, out);
		}
		targets(results, out);
		return out.toString();
	}

	static String machine() {
		long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getTotalMemorySize();
		String gcs = ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.map(GarbageCollectorMXBean::getName)
			.collect(Collectors.joining(", "));
		return Runtime.getRuntime().availableProcessors() + " CPUs, " + size(memory) + " RAM, "
				+ System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
				+ System.getProperty("os.arch") + ", " + System.getProperty("java.vm.name") + " "
				+ System.getProperty("java.runtime.version") + ", max heap " + size(Runtime.getRuntime().maxMemory())
				+ " (" + gcs + ")";
	}

	static String rtt(BenchmarkSettings settings) {
		return (2 * settings.rttDelay().toMillis()) + " ms RTT proxy";
	}

	private static void echo(Results results, StringBuilder out) {
		out.append("### Small JSON echo, hub and agent in separate JVMs\n\n");
		out.append("The hub's JVM runs the load generator and calls the agent's JVM. Closed loop: `concurrency` ")
			.append("callers each wait for their answer before sending again. Latency in milliseconds, caller side, ")
			.append("from subscribe to decoded answer. CPU per request: CPU time of both processes (hub with load ")
			.append("generator, and agent; JIT and GC included) during the cell, divided by the requests answered. ")
			.append("Above floor: CPU per request minus row (e)'s at the same concurrency, the transport's own cost. ")
			.append("Only for the rows that carry Spring's HTTP model, (a), (b) and (f). Row (e) runs in the hub's ")
			.append("JVM alone (the agent's JVM idles meanwhile).\n\n");
		if (results.h2cCheck != null) {
			out.append("Row (f) check, from the h2c client's counters: ").append(results.h2cCheck).append(".\n\n");
		}
		out.append("| transport | concurrency | requests/s | p50 ms | p99 ms | p99.9 ms | CPU µs/request | ")
			.append("above floor µs | req/s vs (a) | req/s vs (f) | errors |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Map.Entry<String, Map<Integer, LoadRunner.Cell>> transport : results.echo.entrySet()) {
			for (Map.Entry<Integer, LoadRunner.Cell> entry : transport.getValue().entrySet()) {
				LoadRunner.Cell cell = entry.getValue();
				LoadRunner.Cell floor = results.cell(FLOOR, entry.getKey());
				row(out, transport.getKey(), entry.getKey(), whole(cell.requestsPerSecond()),
						millis(cell.percentileMillis(50)), millis(cell.percentileMillis(99)),
						millis(cell.percentileMillis(99.9)), whole(cell.cpuMicrosPerRequest()),
						(floor != null && HTTP_MODEL.contains(transport.getKey()))
								? whole(cell.cpuMicrosPerRequest() - floor.cpuMicrosPerRequest()) : "–",
						throughputRatio(cell, results.cell(HTTP, entry.getKey())),
						throughputRatio(cell, results.cell(H2C, entry.getKey())), cell.errors());
			}
		}
		out.append('\n');
	}

	/** One markdown table row of the given cells. */
	private static void row(StringBuilder out, Object... cells) {
		out.append("| ");
		for (int i = 0; i < cells.length; i++) {
			out.append((i > 0) ? " | " : "").append(cells[i]);
		}
		out.append(" |\n");
	}

	private static String whole(double value) {
		return String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String throughputRatio(LoadRunner.Cell cell, LoadRunner.@Nullable Cell reference) {
		return (reference != null) ? ratio(cell.requestsPerSecond() / reference.requestsPerSecond()) : "–";
	}

	private static void localEcho(Results results, StringBuilder out) {
		out.append("### Secondary: the same echo with hub and agent in one JVM\n\n");
		out.append("Both ends, the load generator and the RSocket server share one JVM and its event loops; CPU ")
			.append("per request is that one process's. Measured after the separate-JVM sections, with its own ")
			.append("short warm-up.\n\n");
		out.append(
				"| transport | concurrency | requests/s | p50 ms | p99 ms | CPU µs/request | req/s vs (a) | errors |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Map.Entry<String, Map<Integer, LoadRunner.Cell>> transport : results.localEcho.entrySet()) {
			for (Map.Entry<Integer, LoadRunner.Cell> entry : transport.getValue().entrySet()) {
				LoadRunner.Cell cell = entry.getValue();
				Map<Integer, LoadRunner.Cell> http = results.localEcho.get(HTTP);
				row(out, transport.getKey(), entry.getKey(), whole(cell.requestsPerSecond()),
						millis(cell.percentileMillis(50)), millis(cell.percentileMillis(99)),
						whole(cell.cpuMicrosPerRequest()),
						throughputRatio(cell, (http != null) ? http.get(entry.getKey()) : null), cell.errors());
			}
		}
		out.append('\n');
	}

	private static void large(Results results, StringBuilder out) {
		out.append("### Large bodies, hub and agent in separate JVMs\n\n");
		out.append("The hub downloads from and uploads to the agent, one body each way, generated and consumed in ")
			.append("64 KiB buffers. ")
			.append(results.settings.largeSettle().isZero() ? ""
					: "First, rounds of one body each way on every row run unmeasured until the hub's and the agent's "
							+ "compilers spend at most " + Benchmarks.TRANSFER_QUIET_COMPILE_MILLIS + " ms in each of "
							+ Benchmarks.QUIET_ROUNDS + " rounds in a row. ")
			.append("Each row moves one unmeasured body, then its measured ones. MiB/s is the median of the ")
			.append("measured transfers, heap growth the highest of them. ")
			.append("Peak heap growth: highest heap use sampled every 5 ms, minus the heap after a full GC before ")
			.append("the transfer (includes garbage not yet collected), in each JVM; both: the two added. Live ")
			.append("growth: highest heap use right after any GC during the transfer, minus the same baseline (0 B ")
			.append("if no GC ran). Bytes flow: which end of the TCP or WebSocket connection sent the body. A ")
			.append("WebSocket client masks every byte it sends (RFC 6455, section 5.3), so each transfer is ")
			.append("compared with the raw WebSocket transfer that flowed the same way. The agent is the ")
			.append("SwaggerSocket connection's client; the hub is the raw WebSocket client: SwaggerSocket's ")
			.append("download flows like raw upload.\n\n");
		out.append("| transport | direction | bytes flow | size | MiB/s | vs (d), same flow | peak heap growth hub | ")
			.append("peak heap growth agent | peak heap growth both | live growth hub / agent |\n");
		out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
		transfers(results.large, out, true);
		out.append('\n');
	}

	private static void transfers(List<LargeBodyRunner.Transfer> transfers, StringBuilder out, boolean heap) {
		for (LargeBodyRunner.Transfer transfer : transfers) {
			LargeBodyRunner.Transfer raw = Results.ceiling(transfers, transfer);
			out.append("| ")
				.append(transfer.transport())
				.append(" | ")
				.append(transfer.direction())
				.append(" | ")
				.append(transfer.flow())
				.append(" | ")
				.append(size(transfer.size()))
				.append(" | ")
				.append((transfer.error() != null) ? "failed: " + transfer.error()
						: String.format(Locale.ROOT, "%,.1f", transfer.mibPerSecond()))
				.append(" | ")
				.append((raw != null && transfer.error() == null) ? ratio(transfer.mibPerSecond() / raw.mibPerSecond())
						: "n/a");
			if (heap) {
				out.append(" | ")
					.append(size(transfer.peakHeapGrowth()))
					.append(" | ")
					.append(size(transfer.peerPeakHeapGrowth()))
					.append(" | ")
					.append(size(transfer.bothEndsPeakHeapGrowth()))
					.append(" | ")
					.append(size(transfer.peakLiveGrowth()))
					.append(" / ")
					.append(size(transfer.peerLiveGrowth()));
			}
			out.append(" |\n");
		}
	}

	private static void headOfLine(Results results, StringBuilder out) {
		out.append("### Head-of-line: small requests while a large body moves on the same socket\n\n");
		out.append("The hub sends small echo requests to the agent, ")
			.append(results.settings.holConcurrency())
			.append(" at a time, while it downloads or uploads a large body on the same connection. Default ")
			.append("windows: 256 KiB per stream, 1 MiB per connection; the other run sets ")
			.append("`swaggersocket.limits.initial-stream-window` and `connection-window` on both ends. ")
			.append(results.settings.holSettle().isZero()
					? "Each pair of rows first runs with a quarter of the body each way, unmeasured"
					: "Each pair of rows first runs unmeasured, in rounds of a new connection and the whole body "
							+ "each way, until the hub's and the agent's compilers spend at most "
							+ Benchmarks.TRANSFER_QUIET_COMPILE_MILLIS + " ms in each of " + Benchmarks.QUIET_ROUNDS
							+ " rounds in a row")
			.append(", then the agent dials again: the measured transfers start warm, from the declared windows.\n\n");
		out.append("| windows | large body on the same socket | small requests done | p50 ms | p99 ms | p99.9 ms | ")
			.append("max ms | large body MiB/s |\n");
		out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
		for (HeadOfLineRunner.Result result : results.headOfLine) {
			LoadRunner.Cell small = result.small();
			out.append("| ")
				.append(result.windows())
				.append(" | ")
				.append(size(result.size()))
				.append(' ')
				.append(result.direction())
				.append(" | ")
				.append(small.requests())
				.append(" | ")
				.append(millis(small.percentileMillis(50)))
				.append(" | ")
				.append(millis(small.percentileMillis(99)))
				.append(" | ")
				.append(millis(small.percentileMillis(99.9)))
				.append(" | ")
				.append(millis(small.maxMillis()))
				.append(" | ")
				.append((result.error() != null) ? "failed: " + result.error()
						: String.format(Locale.ROOT, "%,.1f", result.mibPerSecond()))
				.append(" |\n");
		}
		out.append('\n');
	}

	private static void longLink(Results results, StringBuilder out) {
		BenchmarkSettings settings = results.settings;
		out.append("### Large bodies over a long link (").append(rtt(settings)).append(")\n\n");
		out.append("A user-space TCP proxy on loopback delays every chunk by ")
			.append(settings.rttDelay().toMillis())
			.append(" ms in each direction and holds at most ")
			.append(size(settings.proxyMaxInFlight()))
			.append(" per direction (so the link carries at most ")
			.append(String.format(Locale.ROOT, "%,.0f",
					settings.proxyMaxInFlight() / (1024.0 * 1024.0) / (settings.rttDelay().toNanos() / 1e9)))
			.append(" MiB/s). The agent's SwaggerSocket connection to its hub, and the hub's raw WebSocket ")
			.append("connections to the agent's JVM, go through it. One measured transfer each, default windows, ")
			.append(settings.rttSettle().isZero()
					? "after an unmeasured quarter-size transfer of every row each way (the agent's JVM is new)"
					: "after unmeasured rounds of a new connection and the whole body each way through every row, "
							+ "until the hub's and the agent's compilers spend at most "
							+ Benchmarks.TRANSFER_QUIET_COMPILE_MILLIS + " ms in each of " + Benchmarks.QUIET_ROUNDS
							+ " rounds in a row")
			.append("; the agent then dials the hub again, so the measured transfers start on a connection whose ")
			.append("windows have not grown yet.\n\n");
		out.append("| transport | direction | bytes flow | size | MiB/s | vs (d), same flow |\n");
		out.append("|---|---|---|---:|---:|---:|\n");
		transfers(results.longLink, out, false);
		out.append('\n');
	}

	private static void idle(Results results, IdleConnectionsRunner.Result idle, StringBuilder out) {
		out.append("### Idle connections, measured on the hub\n\n");
		out.append("SwaggerSocketClients sharing one ConnectionManager, in a dialer JVM of their own, dial the hub, ")
			.append(results.settings.idleParallelism())
			.append(" handshakes in flight at once. ");
		IdleConnectionsRunner.Settle settle = idle.settle();
		if (settle.rounds() > 0) {
			out.append("Before them, the dialer opened and closed ")
				.append(settle.rounds())
				.append(" round(s) of connections, until both JVMs' compilers went quiet (the first round, on cold ")
				.append("JVMs: ")
				.append(String.format(Locale.ROOT, "%,.0f", settle.firstHandshakesPerSecond()))
				.append(" handshakes/s). ");
		}
		out.append("Handshakes/s counts the second half of the connections. The heap figure is the hub's alone ")
			.append("(after full GCs, with the connections open, minus before, divided by the connections the hub ")
			.append("lists).\n\n");
		out.append("| requested | open (client side) | listed by the hub | handshakes/s | hub heap growth after GC | ")
			.append("hub heap per connection |\n");
		out.append("|---:|---:|---:|---:|---:|---:|\n");
		out.append("| ")
			.append(idle.requested())
			.append(" | ")
			.append(idle.open())
			.append(" | ")
			.append(idle.onHub())
			.append(" | ")
			.append(String.format(Locale.ROOT, "%,.0f", idle.handshakesPerSecond()))
			.append(" | ")
			.append(size(idle.heapGrowth()))
			.append(" | ")
			.append(size((long) idle.heapPerConnection()))
			.append(" |\n\n");
	}

	private static void cluster(Results results, StringBuilder out) {
		out.append("### Cluster: a call that crosses hubs against one that does not\n\n");
		if (results.clusterSkipped != null) {
			out.append("Skipped: ").append(results.clusterSkipped).append(".\n\n");
			return;
		}
		out.append("Two hubs share a directory in a `redis-server` started for the run (loopback, no persistence); ")
			.append("hub A, hub B and an agent connected to hub A each run in a JVM of their own. The load ")
			.append("generator in the benchmark's JVM calls the agent as an outside client does: `WebClient` over ")
			.append("pooled HTTP/1.1 to a hub's gateway, `POST /peers/{id}/echo`. Same hub: through hub A, which ")
			.append("holds the agent's socket. Cross hub: through hub B, which looks the agent up in its directory ")
			.append("and forwards the call as a stream on its SwaggerSocket link to hub A's cluster endpoint. The same client, request and ")
			.append("agent in both rows; only the hub's port differs. CPU per request: all four processes (load ")
			.append("generator, hub A, hub B, agent; hub B idles in the same-hub row).\n\n");
		out.append("| path | concurrency | requests/s | p50 ms | p99 ms | p99.9 ms | CPU µs/request | ")
			.append("req/s vs same hub | errors |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		Map<Integer, LoadRunner.Cell> sameHub = results.clusterEcho.get(SAME_HUB);
		for (Map.Entry<String, Map<Integer, LoadRunner.Cell>> row : results.clusterEcho.entrySet()) {
			for (Map.Entry<Integer, LoadRunner.Cell> entry : row.getValue().entrySet()) {
				LoadRunner.Cell cell = entry.getValue();
				row(out, row.getKey(), entry.getKey(), whole(cell.requestsPerSecond()),
						millis(cell.percentileMillis(50)), millis(cell.percentileMillis(99)),
						millis(cell.percentileMillis(99.9)), whole(cell.cpuMicrosPerRequest()),
						throughputRatio(cell, (sameHub != null) ? sameHub.get(entry.getKey()) : null), cell.errors());
			}
		}
		out.append('\n');
		out.append("Large bodies: the caller downloads from and uploads to the agent through the gateway, one body ")
			.append("each way in 64 KiB buffers; MiB/s is the median of the measured transfers after a warm-up ")
			.append("transfer.\n\n");
		out.append("| path | direction | size | MiB/s | vs same hub |\n");
		out.append("|---|---|---:|---:|---:|\n");
		for (LargeBodyRunner.Transfer transfer : results.clusterLarge) {
			LargeBodyRunner.Transfer same = Results.transfer(results.clusterLarge, SAME_HUB, transfer.direction());
			out.append("| ")
				.append(transfer.transport())
				.append(" | ")
				.append(transfer.direction())
				.append(" | ")
				.append(size(transfer.size()))
				.append(" | ")
				.append((transfer.error() != null) ? "failed: " + transfer.error()
						: String.format(Locale.ROOT, "%,.1f", transfer.mibPerSecond()))
				.append(" | ")
				.append((same != null && same.error() == null && transfer.error() == null)
						? ratio(transfer.mibPerSecond() / same.mibPerSecond()) : "n/a")
				.append(" |\n");
		}
		out.append('\n');
		ClusterTopology.LookUps lookUps = results.clusterLookUps;
		if (lookUps != null) {
			out.append(
					"Directory look-up: hub B's `ConnectionDirectory.locate` of the agent on hub A, timed in hub B, ")
				.append("one at a time after the echo. Fresh: a read of Redis, as the first call for an agent ")
				.append("in a second makes it (a location is kept for the shorter of a second and the refresh ")
				.append("interval) and as the look-up after a 421 always does. Kept: answered from the location ")
				.append("found a moment before, as every other call is.\n\n");
			out.append("| look-up | count | p50 µs | p99 µs | max µs |\n");
			out.append("|---|---:|---:|---:|---:|\n");
			out.append("| fresh (Redis) | ")
				.append(lookUps.count())
				.append(" | ")
				.append(micros(lookUps.freshP50()))
				.append(" | ")
				.append(micros(lookUps.freshP99()))
				.append(" | ")
				.append(micros(lookUps.freshMax()))
				.append(" |\n");
			out.append("| kept | ")
				.append(lookUps.count())
				.append(" | ")
				.append(micros(lookUps.keptP50()))
				.append(" | ")
				.append(micros(lookUps.keptP99()))
				.append(" | ")
				.append(micros(lookUps.keptMax()))
				.append(" |\n\n");
		}
	}

	private static void clusterTargets(Results results, List<String[]> rows) {
		LoadRunner.Cell same64 = clusterCell(results, SAME_HUB, 64);
		LoadRunner.Cell cross64 = clusterCell(results, CROSS_HUB, 64);
		if (same64 != null && cross64 != null) {
			double value = cross64.requestsPerSecond() / same64.requestsPerSecond();
			rows.add(row(
					"issue 11: c=64 cross-hub req/s vs same hub", ratio(value) + String.format(Locale.ROOT,
							" (%,.0f vs %,.0f req/s)", cross64.requestsPerSecond(), same64.requestsPerSecond()),
					"≥ 0.6x", value >= 0.6));
		}
		for (String direction : List.of("download", "upload")) {
			LargeBodyRunner.Transfer same = Results.transfer(results.clusterLarge, SAME_HUB, direction);
			LargeBodyRunner.Transfer cross = Results.transfer(results.clusterLarge, CROSS_HUB, direction);
			if (same != null && cross != null && same.error() == null && cross.error() == null) {
				double value = cross.mibPerSecond() / same.mibPerSecond();
				rows.add(row("issue 11: " + size(cross.size()) + " " + direction + " cross hub vs same hub",
						ratio(value) + String.format(Locale.ROOT, " (%,.0f vs %,.0f MiB/s)", cross.mibPerSecond(),
								same.mibPerSecond()),
						"≥ 0.7x", value >= 0.7));
			}
		}
		ClusterTopology.LookUps lookUps = results.clusterLookUps;
		LoadRunner.Cell same1 = clusterCell(results, SAME_HUB, 1);
		LoadRunner.Cell cross1 = clusterCell(results, CROSS_HUB, 1);
		if (lookUps != null && lookUps.keptP99() >= 0 && same1 != null && cross1 != null) {
			double kept = lookUps.keptP99() / 1e6;
			rows.add(row("issue 11: directory look-up's share of the cross-hub p99 at c=1",
					millis(kept) + " ms (kept location's p99; a fresh one, " + millis(lookUps.freshP99() / 1e6)
							+ " ms p99, is paid by at most one call per agent per second; the whole hop adds "
							+ millis(cross1.percentileMillis(99) - same1.percentileMillis(99)) + " ms to p99)",
					"≤ 1 ms", kept <= 1));
		}
	}

	private static LoadRunner.@Nullable Cell clusterCell(Results results, String row, int concurrency) {
		Map<Integer, LoadRunner.Cell> cells = results.clusterEcho.get(row);
		return (cells != null) ? cells.get(concurrency) : null;
	}

	private static void targets(Results results, StringBuilder out) {
		List<String[]> rows = new ArrayList<>();
		LoadRunner.Cell s64 = results.cell(HUB_TO_AGENT, 64);
		LoadRunner.Cell h64 = results.cell(HTTP, 64);
		if (s64 != null && h64 != null) {
			double value = s64.requestsPerSecond() / h64.requestsPerSecond();
			rows.add(row("c=64 hub→agent req/s vs HTTP/1.1", ratio(value), "≥ 1.5x", value >= 1.5));
		}
		for (int concurrency : List.of(16, 64, 256)) {
			LoadRunner.Cell s = results.cell(HUB_TO_AGENT, concurrency);
			LoadRunner.Cell h2c = results.cell(H2C, concurrency);
			if (s != null && h2c != null) {
				double value = s.requestsPerSecond() / h2c.requestsPerSecond();
				rows.add(row("c=" + concurrency + " hub→agent req/s vs one h2c connection", ratio(value), "≥ 1.2x",
						value >= 1.2));
			}
		}
		LoadRunner.Cell r64 = results.cell(RSOCKET, 64);
		if (s64 != null && r64 != null) {
			double value = s64.requestsPerSecond() / r64.requestsPerSecond();
			rows.add(row("c=64 hub→agent req/s vs RSocket (reference)", ratio(value), "≥ 0.6x", value >= 0.6));
		}
		LoadRunner.Cell f64 = results.cell(FLOOR, 64);
		if (s64 != null && f64 != null) {
			double value = s64.cpuMicrosPerRequest() - f64.cpuMicrosPerRequest();
			rows.add(row(
					"c=64 CPU µs/request above the in-process floor (both ends)", String.format(Locale.ROOT,
							"%,.1f µs (%,.1f − %,.1f)", value, s64.cpuMicrosPerRequest(), f64.cpuMicrosPerRequest()),
					"≤ 10 µs", value <= 10));
		}
		for (String direction : List.of("download", "upload")) {
			LargeBodyRunner.Transfer s = Results.transfer(results.large, HUB_TO_AGENT, direction);
			LargeBodyRunner.Transfer raw = (s != null) ? Results.ceiling(results.large, s) : null;
			if (s != null && raw != null && s.error() == null) {
				double value = s.mibPerSecond() / raw.mibPerSecond();
				rows.add(row(size(s.size()) + " " + direction + " vs raw WebSocket, same flow (" + s.flow() + ")",
						ratio(value) + String.format(Locale.ROOT, " (%,.0f vs %,.0f MiB/s)", s.mibPerSecond(),
								raw.mibPerSecond()),
						"≥ 0.9x", value >= 0.9));
			}
		}
		for (String direction : List.of("download", "upload")) {
			LargeBodyRunner.Transfer s = Results.transfer(results.large, HUB_TO_AGENT, direction);
			if (s != null && s.error() == null) {
				long both = s.bothEndsPeakHeapGrowth();
				rows.add(row("peak heap growth per " + size(s.size()) + " " + direction + " (hub + agent)",
						size(both) + " (" + size(s.peakHeapGrowth()) + " + " + size(s.peerPeakHeapGrowth()) + ")",
						"≤ 16 MiB", both <= 16L * 1024 * 1024));
			}
		}
		for (HeadOfLineRunner.Result result : results.headOfLine) {
			double p99 = result.small().percentileMillis(99);
			rows.add(row(
					"small-request p99 during a " + size(result.size()) + " " + result.direction() + ", "
							+ result.windows() + " windows",
					millis(p99) + " ms", "≤ 5 ms", p99 <= 5 && result.error() == null));
		}
		for (String direction : List.of("download", "upload")) {
			LargeBodyRunner.Transfer s = Results.transfer(results.longLink, HUB_TO_AGENT, direction);
			LargeBodyRunner.Transfer raw = (s != null) ? Results.ceiling(results.longLink, s) : null;
			if (s != null && raw != null && s.error() == null) {
				double value = s.mibPerSecond() / raw.mibPerSecond();
				rows.add(row(
						size(s.size()) + " " + direction + " through the " + rtt(results.settings)
								+ " vs raw WebSocket through it",
						ratio(value) + String.format(Locale.ROOT, " (%,.1f vs %,.1f MiB/s)", s.mibPerSecond(),
								raw.mibPerSecond()),
						"≥ 0.8x", value >= 0.8));
			}
		}
		IdleConnectionsRunner.Result idle = results.idle;
		if (idle != null && idle.onHub() > 0) {
			double perConnection = idle.heapPerConnection();
			rows.add(row("hub heap per idle connection at " + String.format(Locale.ROOT, "%,d", idle.onHub())
					+ " connections", size((long) perConnection), "≤ 8 KiB", perConnection <= 8 * 1024));
			rows.add(row("handshakes/s", String.format(Locale.ROOT, "%,.0f", idle.handshakesPerSecond()), "≥ 2,000",
					idle.handshakesPerSecond() >= 2000));
		}
		clusterTargets(results, rows);
		if (rows.isEmpty()) {
			return;
		}
		out.append("### Against the targets of issue 10 (and issue 11's cluster rows)\n\n");
		out.append("| figure | measured | target | met |\n|---|---:|---:|---|\n");
		for (String[] row : rows) {
			out.append("| ")
				.append(row[0])
				.append(" | ")
				.append(row[1])
				.append(" | ")
				.append(row[2])
				.append(" | ")
				.append(row[3])
				.append(" |\n");
		}
		out.append('\n');
	}

	private static String[] row(String figure, String measured, String target, boolean met) {
		return new String[] { figure, measured, target, met ? "met" : "**missed**" };
	}

	static String millis(double millis) {
		if (millis < 1) {
			return String.format(Locale.ROOT, "%.3f", millis);
		}
		if (millis < 10) {
			return String.format(Locale.ROOT, "%.2f", millis);
		}
		return String.format(Locale.ROOT, "%,.1f", millis);
	}

	private static String micros(long nanos) {
		return String.format(Locale.ROOT, "%,.1f", nanos / 1e3);
	}

	static String ratio(double ratio) {
		if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%.2fx", ratio);
	}

	static String size(long bytes) {
		if (bytes < 1024) {
			return bytes + " B";
		}
		if (bytes < 1024 * 1024) {
			return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
		}
		if (bytes < 1024L * 1024 * 1024) {
			return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
		}
		return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
	}

}
