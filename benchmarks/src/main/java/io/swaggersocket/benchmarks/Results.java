package io.swaggersocket.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Everything one run measured, in the order it was measured.
 */
final class Results {

	final BenchmarkSettings settings;

	/**
	 * Hub and agent in separate JVMs: transport name to concurrency to cell, in the order
	 * of the transports and concurrencies.
	 */
	final Map<String, Map<Integer, LoadRunner.Cell>> echo = new LinkedHashMap<>();

	/** The same echo with both ends in one JVM (the secondary table). */
	final Map<String, Map<Integer, LoadRunner.Cell>> localEcho = new LinkedHashMap<>();

	final List<LargeBodyRunner.Transfer> large = new ArrayList<>();

	final List<HeadOfLineRunner.Result> headOfLine = new ArrayList<>();

	/** Transfers through the delaying proxy. */
	final List<LargeBodyRunner.Transfer> longLink = new ArrayList<>();

	IdleConnectionsRunner.@Nullable Result idle;

	/** The cluster section's echo: same hub and cross hub, by concurrency. */
	final Map<String, Map<Integer, LoadRunner.Cell>> clusterEcho = new LinkedHashMap<>();

	/** The cluster section's large bodies. */
	final List<LargeBodyRunner.Transfer> clusterLarge = new ArrayList<>();

	/** Hub B's directory look-ups, timed one at a time. */
	ClusterTopology.@Nullable LookUps clusterLookUps;

	/** Why the cluster section did not run although it was asked for, or {@code null}. */
	@Nullable String clusterSkipped;

	/** What the h2c client's counters said after the echo, or {@code null}. */
	@Nullable String h2cCheck;

	/** The h2c client's counters at the end of the run, or {@code null}. */
	H2c.@Nullable Stats h2cStats;

	/** The system's one-minute load average when the run started and when it ended. */
	double loadAtStart = -1;

	double loadAtEnd = -1;

	Results(BenchmarkSettings settings) {
		this.settings = settings;
	}

	void add(String transport, int concurrency, LoadRunner.Cell cell) {
		this.echo.computeIfAbsent(transport, (name) -> new LinkedHashMap<>()).put(concurrency, cell);
	}

	LoadRunner.@Nullable Cell cell(String transport, int concurrency) {
		Map<Integer, LoadRunner.Cell> cells = this.echo.get(transport);
		return (cells != null) ? cells.get(concurrency) : null;
	}

	static LargeBodyRunner.@Nullable Transfer transfer(List<LargeBodyRunner.Transfer> transfers, String transport,
			String direction) {
		return transfers.stream()
			.filter((t) -> t.transport().startsWith(transport) && t.direction().equals(direction))
			.findFirst()
			.orElse(null);
	}

	/**
	 * The raw WebSocket transfer of the same list whose bytes flowed the same way: the
	 * ceiling for that way.
	 */
	static LargeBodyRunner.@Nullable Transfer ceiling(List<LargeBodyRunner.Transfer> transfers,
			LargeBodyRunner.Transfer transfer) {
		return transfers.stream()
			.filter((t) -> t.transport().startsWith(Report.RAW_NAME) && t.flow().equals(transfer.flow())
					&& t.error() == null)
			.findFirst()
			.orElse(null);
	}

}
