package io.swaggersocket.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders {@link Results} as markdown: the machine, one table per measurement, and the
 * figures set against the targets of issue 6.
 */
final class Report {

	static final String HTTP = "(a) HTTP/1.1 WebClient, pooled";

	static final String HUB_TO_AGENT = "(b) SwaggerSocket hub→agent";

	static final String AGENT_TO_HUB = "(b) SwaggerSocket agent→hub";

	static final String RSOCKET = "(c) RSocket request-response over WebSocket";

	static final String RAW = "(d) raw Reactor Netty WebSocket echo (ceiling)";

	private Report() {
	}

	static String markdown(Results results) {
		StringBuilder out = new StringBuilder();
		out.append("## SwaggerSocket benchmark\n\n");
		out.append("Machine: ").append(machine()).append("\n\n");
		out.append("Run: ").append(results.settings.describe()).append(".\n\n");
		out.append(String.format(Locale.ROOT, "System load average (1 min) at start %.2f, at end %.2f, on %d CPUs: ",
				results.loadAtStart, results.loadAtEnd, Runtime.getRuntime().availableProcessors()))
			.append("client, servers and load generator share them, and anything else running on the machine ")
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
		if (results.idle != null) {
			idle(results.idle, out);
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

	private static void echo(Results results, StringBuilder out) {
		out.append("### Small JSON echo: throughput and latency\n\n");
		out.append("Closed loop: `concurrency` callers each wait for their answer before sending again. ")
			.append("Latency in milliseconds, client side, from subscribe to decoded answer. CPU per request: CPU ")
			.append("time of the whole process (both ends, load generator, JIT, GC) during the cell, divided by the ")
			.append("requests answered; less disturbed by other load on the machine than requests/s.\n\n");
		out.append(
				"| transport | concurrency | requests/s | p50 ms | p99 ms | p99.9 ms | CPU µs/request | req/s vs (a) | errors |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Map.Entry<String, Map<Integer, LoadRunner.Cell>> transport : results.echo.entrySet()) {
			for (Map.Entry<Integer, LoadRunner.Cell> entry : transport.getValue().entrySet()) {
				LoadRunner.Cell cell = entry.getValue();
				LoadRunner.Cell http = results.cell(HTTP, entry.getKey());
				out.append("| ")
					.append(transport.getKey())
					.append(" | ")
					.append(entry.getKey())
					.append(" | ")
					.append(String.format(Locale.ROOT, "%,.0f", cell.requestsPerSecond()))
					.append(" | ")
					.append(millis(cell.percentileMillis(50)))
					.append(" | ")
					.append(millis(cell.percentileMillis(99)))
					.append(" | ")
					.append(millis(cell.percentileMillis(99.9)))
					.append(" | ")
					.append(String.format(Locale.ROOT, "%,.0f", cell.cpuMicrosPerRequest()))
					.append(" | ")
					.append((http != null) ? ratio(cell.requestsPerSecond() / http.requestsPerSecond()) : "n/a")
					.append(" | ")
					.append(cell.errors())
					.append(" |\n");
			}
		}
		out.append('\n');
	}

	private static void large(Results results, StringBuilder out) {
		out.append("### Large bodies\n\n");
		out.append("One body each way, generated and consumed in 64 KiB buffers; MiB/s is the median of the ")
			.append("measured transfers, heap growth the highest of them. Peak heap growth: highest heap use ")
			.append("sampled every 5 ms, minus the heap after a full GC before the transfer (includes garbage not yet ")
			.append("collected). Live growth: highest heap use right after any GC during the transfer, minus the ")
			.append("same baseline (an upper bound of what the transfer keeps alive; 0 B if no GC ran). Bytes flow: ")
			.append("which end of the TCP or WebSocket connection sent the body. A WebSocket client masks every byte ")
			.append("it sends (RFC 6455, section 5.3), so the raw WebSocket ceiling differs by flow, and each transfer ")
			.append("is compared with the raw transfer that flowed the same way. The hub is the WebSocket server: ")
			.append("hub→agent download and agent→hub upload are sent by the agent, a WebSocket client.\n\n");
		out.append(
				"| transport | direction | bytes flow | size | MiB/s | vs (d), same flow | peak heap growth | live heap growth after GC |\n");
		out.append("|---|---|---|---:|---:|---:|---:|---:|\n");
		for (LargeBodyRunner.Transfer transfer : results.large) {
			LargeBodyRunner.Transfer raw = results.ceiling(transfer);
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
				.append((raw != null && raw.error() == null && transfer.error() == null)
						? ratio(transfer.mibPerSecond() / raw.mibPerSecond()) : "n/a")
				.append(" | ")
				.append(size(transfer.peakHeapGrowth()))
				.append(" | ")
				.append(size(transfer.peakLiveGrowth()))
				.append(" |\n");
		}
		out.append('\n');
	}

	private static void headOfLine(Results results, StringBuilder out) {
		out.append("### Head-of-line: small requests while a large body moves on the same socket\n\n");
		out.append(
				"| small requests on | large body on the same socket | small requests done | p50 ms | p99 ms | p99.9 ms | max ms | large body MiB/s |\n");
		out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
		for (HeadOfLineRunner.Result result : results.headOfLine) {
			LoadRunner.Cell small = result.small();
			out.append("| ")
				.append(result.transport())
				.append(", concurrency ")
				.append(results.settings.holConcurrency())
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

	private static void idle(IdleConnectionsRunner.Result idle, StringBuilder out) {
		out.append("### Idle connections\n\n");
		out.append("SwaggerSocketClients sharing one ConnectionManager, dialing the hub in this JVM: the heap ")
			.append("figure covers both ends of each connection (client and hub).\n\n");
		out.append(
				"| requested | open (client side) | listed by the hub | handshakes/s | heap growth after GC | heap per connection (both ends) |\n");
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

	private static void targets(Results results, StringBuilder out) {
		List<String[]> rows = new java.util.ArrayList<>();
		for (String ss : List.of(HUB_TO_AGENT, AGENT_TO_HUB)) {
			LoadRunner.Cell s64 = results.cell(ss, 64);
			LoadRunner.Cell h64 = results.cell(HTTP, 64);
			LoadRunner.Cell r64 = results.cell(RSOCKET, 64);
			if (s64 != null && h64 != null) {
				double value = s64.requestsPerSecond() / h64.requestsPerSecond();
				rows.add(row(ss + ": c=64 throughput >= 1.5x HTTP/1.1", ratio(value), value >= 1.5));
			}
			if (s64 != null && r64 != null) {
				double value = s64.requestsPerSecond() / r64.requestsPerSecond();
				rows.add(row(ss + ": c=64 throughput >= 1.0x RSocket", ratio(value), value >= 1.0));
			}
			LoadRunner.Cell s1 = results.cell(ss, 1);
			LoadRunner.Cell h1 = results.cell(HTTP, 1);
			if (s1 != null && h1 != null) {
				double value = s1.percentileMillis(99) / h1.percentileMillis(99);
				rows.add(row(ss + ": c=1 p99 <= 1.2x HTTP/1.1", ratio(value) + " (" + millis(s1.percentileMillis(99))
						+ " vs " + millis(h1.percentileMillis(99)) + " ms)", value <= 1.2));
			}
			for (String direction : List.of("download", "upload")) {
				LargeBodyRunner.Transfer s = results.transfer(ss, direction);
				LargeBodyRunner.Transfer raw = (s != null) ? results.ceiling(s) : null;
				if (s != null && raw != null && s.error() == null) {
					double value = s.mibPerSecond() / raw.mibPerSecond();
					rows.add(row(ss + ": " + direction + " (" + s.flow() + ") >= 0.8x raw WebSocket", ratio(value)
							+ " ("
							+ String.format(Locale.ROOT, "%,.0f vs %,.0f MiB/s", s.mibPerSecond(), raw.mibPerSecond())
							+ ")", value >= 0.8));
				}
			}
		}
		for (HeadOfLineRunner.Result result : results.headOfLine) {
			double p99 = result.small().percentileMillis(99);
			rows.add(row("small-request p99 <= 10 ms during a " + size(result.size()) + " " + result.direction(),
					millis(p99) + " ms", p99 <= 10 && result.error() == null));
		}
		IdleConnectionsRunner.Result idle = results.idle;
		if (idle != null && idle.open() > 0) {
			double perConnection = idle.heapPerConnection();
			rows.add(row("<= 8 KiB heap per idle connection", size((long) perConnection) + " for both ends",
					perConnection <= 8 * 1024));
		}
		if (rows.isEmpty()) {
			return;
		}
		out.append("### Against the targets of issue 6\n\n");
		out.append("| target | measured | met |\n|---|---:|---|\n");
		for (String[] row : rows) {
			out.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
		}
		out.append('\n');
	}

	private static String[] row(String target, String measured, boolean met) {
		return new String[] { target, measured, met ? "yes" : "**no**" };
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
