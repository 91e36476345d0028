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
	 * Transport name to concurrency to cell, in the order of the transports and
	 * concurrencies.
	 */
	final Map<String, Map<Integer, LoadRunner.Cell>> echo = new LinkedHashMap<>();

	final List<LargeBodyRunner.Transfer> large = new ArrayList<>();

	final List<HeadOfLineRunner.Result> headOfLine = new ArrayList<>();

	IdleConnectionsRunner.@Nullable Result idle;

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

	LargeBodyRunner.@Nullable Transfer transfer(String transport, String direction) {
		return this.large.stream()
			.filter((t) -> t.transport().equals(transport) && t.direction().equals(direction))
			.findFirst()
			.orElse(null);
	}

	/**
	 * The raw WebSocket transfer whose bytes flowed the same way: the ceiling for that
	 * way.
	 */
	LargeBodyRunner.@Nullable Transfer ceiling(LargeBodyRunner.Transfer transfer) {
		return this.large.stream()
			.filter((t) -> t.transport().equals(Report.RAW) && t.flow().equals(transfer.flow()) && t.error() == null)
			.findFirst()
			.orElse(null);
	}

}
