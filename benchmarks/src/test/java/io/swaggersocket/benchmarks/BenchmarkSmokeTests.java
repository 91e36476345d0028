package io.swaggersocket.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark in smoke mode (tiny durations, 8 MiB bodies, 2 MiB through the delaying
 * proxy, 50 idle connections, the agent and the dialer in JVMs of their own, the cluster
 * section's hubs and agent too if {@code redis-server} is installed): proves that every
 * part runs and that the report has every row and column filled. No figure is judged
 * here: figures come from the full run, never from a test.
 */
class BenchmarkSmokeTests {

	@Test
	void smokeRunFillsEveryRowAndColumnOfTheReport() {
		BenchmarkSettings settings = BenchmarkSettings.from(Map.of("bench.mode", "smoke")::get);

		Results results = Benchmarks.run(settings);
		String report = Report.markdown(results);

		assertThat(results.echo).containsOnlyKeys(Report.HTTP, Report.H2C, Report.HUB_TO_AGENT, Report.RSOCKET,
				Report.FLOOR, Report.RAW);
		results.echo.values().forEach((cells) -> {
			assertThat(cells).containsOnlyKeys(1, 16, 64, 256);
			cells.values().forEach((cell) -> {
				assertThat(cell.requests()).isPositive();
				assertThat(cell.errors()).isZero();
				assertThat(cell.cpuNanos()).isPositive();
			});
		});
		// row (f) is what it says: every request an HTTP/2 stream, all on one TCP
		// connection, many of them in flight at once
		H2c.Stats h2c = results.h2cStats;
		assertThat(h2c).isNotNull();
		assertThat(h2c.connections()).isEqualTo(1);
		assertThat(h2c.streams()).isPositive().isEqualTo(h2c.requests());
		assertThat(h2c.peakInFlight()).isGreaterThan(1);

		assertThat(results.large).hasSize(8).allSatisfy((transfer) -> {
			assertThat(transfer.error()).isNull();
			assertThat(transfer.mibPerSecond()).isPositive();
		});
		assertThat(results.headOfLine).hasSize(4).allSatisfy((result) -> {
			assertThat(result.error()).isNull();
			assertThat(result.small().requests()).isPositive();
		});
		assertThat(results.headOfLine).extracting(HeadOfLineRunner.Result::windows)
			.containsExactly("default", "default", "4.0 MiB", "4.0 MiB");
		assertThat(results.longLink).hasSize(4).allSatisfy((transfer) -> {
			assertThat(transfer.error()).isNull();
			// 25 ms each way: nothing crosses the proxy in less than one round trip
			assertThat(transfer.seconds()).isGreaterThan(0.05);
		});
		assertThat(results.idle).isNotNull();
		assertThat(results.idle.open()).isEqualTo(50);
		assertThat(results.idle.onHub()).isEqualTo(50);
		assertThat(results.localEcho).containsOnlyKeys(Report.HTTP, Report.HUB_TO_AGENT, Report.AGENT_TO_HUB,
				Report.RSOCKET);

		assertThat(tableRows(report, "### Small JSON echo, hub and agent in separate JVMs")).hasSize(24);
		assertThat(tableRows(report, "### Large bodies, hub and agent")).hasSize(8);
		assertThat(tableRows(report, "### Head-of-line")).hasSize(4);
		assertThat(tableRows(report, "### Large bodies over a long link")).hasSize(4);
		assertThat(tableRows(report, "### Idle connections")).hasSize(1);
		assertThat(tableRows(report, "### Secondary: the same echo")).hasSize(4);
		boolean redis = RedisProcess.executable() != null;
		if (redis) {
			assertThat(results.clusterEcho).containsOnlyKeys(Report.SAME_HUB, Report.CROSS_HUB);
			results.clusterEcho.values().forEach((cells) -> {
				assertThat(cells).containsOnlyKeys(1, 64);
				cells.values().forEach((cell) -> {
					assertThat(cell.requests()).isPositive();
					assertThat(cell.errors()).isZero();
					assertThat(cell.cpuNanos()).isPositive();
				});
			});
			assertThat(results.clusterLarge).hasSize(4).allSatisfy((transfer) -> {
				assertThat(transfer.error()).isNull();
				assertThat(transfer.mibPerSecond()).isPositive();
			});
			assertThat(results.clusterLookUps).isNotNull();
			assertThat(results.clusterLookUps.freshP99()).isPositive();
			assertThat(results.clusterLookUps.keptP99()).isPositive();
			assertThat(tableRows(report, "### Cluster")).hasSize(4);
		}
		else {
			// the section says why it did not run; everything else still does
			assertThat(results.clusterSkipped).contains("redis-server is not installed");
			assertThat(report).contains("Skipped: redis-server is not installed");
		}
		assertThat(tableRows(report, "### Against the targets")).hasSize(redis ? 22 : 18);
		// "above floor" only applies to the rows that carry Spring's HTTP model
		List<String> echoRows = tableRows(report, "### Small JSON echo, hub and agent in separate JVMs");
		assertThat(echoRows).allSatisfy((row) -> {
			List<String> cells = cells(row);
			boolean httpModel = Report.HTTP_MODEL.contains(cells.get(0));
			assertThat(cells.get(7)).as(row).matches(httpModel ? "-?[0-9,]+" : "–");
		});
		report.lines()
			.filter((line) -> line.startsWith("| "))
			.map((line) -> echoRows.contains(line) ? withoutColumn(line, 7) : line)
			.forEach((line) -> assertThat(cells(line)).as(line)
				.allSatisfy((cell) -> assertThat(cell).isNotBlank()
					.doesNotContain("n/a")
					.doesNotContain("failed")
					.isNotEqualTo("–")));
	}

	private static String withoutColumn(String row, int column) {
		List<String> cells = new java.util.ArrayList<>(cells(row));
		cells.remove(column);
		return "| " + String.join(" | ", cells) + " |";
	}

	/** The body rows of the table under a heading. */
	private static List<String> tableRows(String report, String heading) {
		List<String> lines = report.lines().toList();
		int start = lines.indexOf(lines.stream().filter((line) -> line.startsWith(heading)).findFirst().orElseThrow());
		return lines.stream()
			.skip(start + 1)
			.dropWhile((line) -> !line.startsWith("|"))
			.takeWhile((line) -> line.startsWith("|"))
			.skip(2)
			.toList();
	}

	private static List<String> cells(String row) {
		String inner = row.substring(1, row.length() - 1);
		return Arrays.stream(inner.split("\\|", -1)).map(String::trim).toList();
	}

}
