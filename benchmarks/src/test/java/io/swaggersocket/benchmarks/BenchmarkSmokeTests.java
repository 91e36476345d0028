package io.swaggersocket.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark in smoke mode (tiny durations, 8 MiB bodies, 50 idle connections): proves
 * that every part runs and that the report has every row and column filled. No figure is
 * judged here: figures come from the full run, never from a test.
 */
class BenchmarkSmokeTests {

	@Test
	void smokeRunFillsEveryRowAndColumnOfTheReport() throws Exception {
		BenchmarkSettings settings = BenchmarkSettings.from(Map.of("bench.mode", "smoke")::get);

		Results results = Benchmarks.run(settings);
		String report = Report.markdown(results);

		assertThat(results.echo).containsOnlyKeys(Report.HTTP, Report.HUB_TO_AGENT, Report.AGENT_TO_HUB, Report.RSOCKET,
				Report.RAW);
		results.echo.values().forEach((cells) -> {
			assertThat(cells).containsOnlyKeys(1, 16, 64, 256);
			cells.values().forEach((cell) -> {
				assertThat(cell.requests()).isPositive();
				assertThat(cell.errors()).isZero();
			});
		});
		assertThat(results.large).hasSize(8).allSatisfy((transfer) -> {
			assertThat(transfer.error()).isNull();
			assertThat(transfer.mibPerSecond()).isPositive();
		});
		assertThat(results.headOfLine).hasSize(2).allSatisfy((result) -> {
			assertThat(result.error()).isNull();
			assertThat(result.small().requests()).isPositive();
		});
		assertThat(results.idle).isNotNull();
		assertThat(results.idle.open()).isEqualTo(50);
		assertThat(results.idle.onHub()).isEqualTo(50);

		assertThat(tableRows(report, "### Small JSON echo")).hasSize(20);
		assertThat(tableRows(report, "### Large bodies")).hasSize(8);
		assertThat(tableRows(report, "### Head-of-line")).hasSize(2);
		assertThat(tableRows(report, "### Idle connections")).hasSize(1);
		assertThat(tableRows(report, "### Against the targets")).hasSize(13);
		report.lines()
			.filter((line) -> line.startsWith("| "))
			.forEach((line) -> assertThat(cells(line)).as(line)
				.allSatisfy((cell) -> assertThat(cell).isNotBlank().doesNotContain("n/a").doesNotContain("failed")));
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
