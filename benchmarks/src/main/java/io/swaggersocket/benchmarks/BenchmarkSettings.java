package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * What one run measures and for how long, read from {@code bench.*} system properties.
 * The {@code smoke} mode only changes the defaults (tiny durations, small bodies, few
 * connections).
 *
 * @param smoke whether this is the seconds-long smoke run
 * @param sections which parts run: {@code echo}, {@code large}, {@code hol}, {@code rtt},
 * {@code idle}, {@code local}, {@code cluster}
 * @param transports which transports the echo and large-body parts use: {@code http},
 * {@code hub-to-agent}, {@code rsocket}, {@code raw}, {@code floor}, {@code h2c} (and
 * {@code agent-to-hub} in the one-JVM table)
 * @param warmup how long each transport runs before anything is measured, in rounds over
 * all transports
 * @param duration how long each measured echo cell runs
 * @param echoSettle the longest the echo tables run every cell briefly, after the
 * warm-up, until their JVMs' compilers go quiet; zero for no such wait
 * @param concurrencies the numbers of requests kept in flight
 * @param largeBodySize the size of each large download and upload
 * @param largeRepeat how many measured transfers per transport and direction (after one
 * unmeasured warm-up transfer); the report shows the median
 * @param largeSettle the longest the large-body section moves whole bodies through every
 * row, before it measures, until the hub's and the agent's compilers go quiet; zero for
 * no such wait
 * @param holConcurrency small requests kept in flight during the head-of-line transfer
 * @param holLargeWindow the stream and connection window of the second head-of-line run
 * @param holSettle the longest each head-of-line run moves bodies with small requests
 * beside them, before it measures, until the hub's and the agent's compilers go quiet;
 * zero for a single quarter-size transfer each way instead
 * @param rttDelay the delay of each direction of the long-link proxy
 * @param rttBodySize the size of each transfer through the long-link proxy
 * @param proxyMaxInFlight the most bytes the long-link proxy holds per direction
 * @param rttSettle the longest the long-link section moves whole bodies through every
 * row, before it measures, until the hub's and the agent's compilers go quiet; zero for a
 * single quarter-size transfer each way instead
 * @param idleConnections how many idle SwaggerSocket connections to open
 * @param idleParallelism how many of them may be handshaking at once
 * @param idleHistogram whether to print the heap's top classes with the idle connections
 * open
 * @param idleSettle the longest the idle section opens and closes rounds of connections,
 * before it measures, until the hub's and the dialer's compilers go quiet; zero for no
 * such wait
 * @param localConcurrencies the concurrencies of the one-JVM echo table
 * @param localWarmup the warm-up per transport of the one-JVM echo table
 * @param childJvmOptions the JVM options of the agent's and the dialer's JVMs
 * @param transferTimeout how long one large transfer or the idle phase may take before it
 * counts as failed
 * @param clusterConcurrencies the concurrencies of the cluster section's echo
 * @param clusterWarmup the warm-up per row of the cluster section
 * @param clusterLargeRepeat measured large transfers per row and direction in the cluster
 * section
 * @param clusterLookUps how many directory look-ups of each kind the cluster section
 * times
 * @param clusterSettle the longest the cluster section keeps loading its rows, after the
 * warm-up, until its JVMs' compilers go quiet; zero for no such wait
 */
record BenchmarkSettings(boolean smoke, Set<String> sections, Set<String> transports, Duration warmup,
		Duration duration, Duration echoSettle, List<Integer> concurrencies, long largeBodySize, int largeRepeat,
		Duration largeSettle, int holConcurrency, long holLargeWindow, Duration holSettle, Duration rttDelay,
		long rttBodySize, long proxyMaxInFlight, Duration rttSettle, int idleConnections, int idleParallelism,
		boolean idleHistogram, Duration idleSettle, List<Integer> localConcurrencies, Duration localWarmup,
		List<String> childJvmOptions, Duration transferTimeout, List<Integer> clusterConcurrencies,
		Duration clusterWarmup, int clusterLargeRepeat, int clusterLookUps, Duration clusterSettle) {

	static final Set<String> ALL_SECTIONS = Set.of("echo", "large", "hol", "rtt", "idle", "local", "cluster");

	static final Set<String> ALL_TRANSPORTS = Set.of("http", "hub-to-agent", "agent-to-hub", "rsocket", "raw", "floor",
			"h2c");

	/**
	 * Read the settings from system properties.
	 * @return the settings
	 */
	static BenchmarkSettings fromSystemProperties() {
		return from(System::getProperty);
	}

	/**
	 * Read the settings from properties.
	 * @param properties property name to value, or {@code null} when not set
	 * @return the settings
	 */
	static BenchmarkSettings from(Function<String, @Nullable String> properties) {
		boolean smoke = "smoke".equalsIgnoreCase(Objects.requireNonNullElse(properties.apply("bench.mode"), "full"));
		return new BenchmarkSettings(smoke,
				property(properties, "bench.sections", ALL_SECTIONS, BenchmarkSettings::names),
				property(properties, "bench.transports", ALL_TRANSPORTS, BenchmarkSettings::names),
				property(properties, "bench.warmup", smoke ? Duration.ofMillis(300) : Duration.ofSeconds(10),
						DurationStyle::detectAndParse),
				property(properties, "bench.duration", smoke ? Duration.ofMillis(200) : Duration.ofSeconds(5),
						DurationStyle::detectAndParse),
				property(properties, "bench.echo.settle", smoke ? Duration.ZERO : Duration.ofSeconds(120),
						DurationStyle::detectAndParse),
				property(properties, "bench.concurrency", List.of(1, 16, 64, 256), BenchmarkSettings::numbers),
				property(properties, "bench.large.size", smoke ? DataSize.ofMegabytes(8) : DataSize.ofMegabytes(256),
						DataSize::parse)
					.toBytes(),
				property(properties, "bench.large.repeat", smoke ? 1 : 5, Integer::valueOf),
				property(properties, "bench.large.settle", smoke ? Duration.ZERO : Duration.ofSeconds(60),
						DurationStyle::detectAndParse),
				property(properties, "bench.hol.concurrency", 1, Integer::valueOf),
				property(properties, "bench.hol.large-window", DataSize.ofMegabytes(4), DataSize::parse).toBytes(),
				property(properties, "bench.hol.settle", smoke ? Duration.ZERO : Duration.ofSeconds(60),
						DurationStyle::detectAndParse),
				property(properties, "bench.rtt.delay", Duration.ofMillis(25), DurationStyle::detectAndParse),
				property(properties, "bench.rtt.size", smoke ? DataSize.ofMegabytes(2) : DataSize.ofMegabytes(256),
						DataSize::parse)
					.toBytes(),
				property(properties, "bench.rtt.max-in-flight", DataSize.ofMegabytes(16), DataSize::parse).toBytes(),
				property(properties, "bench.rtt.settle", smoke ? Duration.ZERO : Duration.ofSeconds(90),
						DurationStyle::detectAndParse),
				property(properties, "bench.idle.connections", smoke ? 50 : 10_000, Integer::valueOf),
				property(properties, "bench.idle.parallelism", 64, Integer::valueOf),
				property(properties, "bench.idle.histogram", false, Boolean::valueOf),
				property(properties, "bench.idle.settle", smoke ? Duration.ZERO : Duration.ofSeconds(60),
						DurationStyle::detectAndParse),
				property(properties, "bench.local.concurrency", List.of(64), BenchmarkSettings::numbers),
				property(properties, "bench.local.warmup", smoke ? Duration.ofMillis(200) : Duration.ofSeconds(5),
						DurationStyle::detectAndParse),
				// C1 only in the smoke run: the children start in about half the time
				property(properties, "bench.child.jvm-options",
						smoke ? List.of("-Xmx1g", "-XX:TieredStopAtLevel=1") : List.of("-Xmx2g"),
						(value) -> Arrays.stream(value.split("\\s+")).filter((option) -> !option.isEmpty()).toList()),
				property(properties, "bench.timeout", Duration.ofMinutes(5), DurationStyle::detectAndParse),
				property(properties, "bench.cluster.concurrency", List.of(1, 64), BenchmarkSettings::numbers),
				property(properties, "bench.cluster.warmup", smoke ? Duration.ofMillis(300) : Duration.ofSeconds(10),
						DurationStyle::detectAndParse),
				property(properties, "bench.cluster.large.repeat", smoke ? 1 : 5, Integer::valueOf),
				property(properties, "bench.cluster.lookups", smoke ? 100 : 2000, Integer::valueOf),
				property(properties, "bench.cluster.settle", smoke ? Duration.ZERO : Duration.ofSeconds(60),
						DurationStyle::detectAndParse));
	}

	private static List<Integer> numbers(String value) {
		return Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
	}

	private static Set<String> names(String value) {
		return Arrays.stream(value.split(","))
			.map(String::trim)
			.map((name) -> name.toLowerCase(Locale.ROOT))
			.collect(Collectors.toSet());
	}

	boolean runs(String section) {
		return this.sections.contains(section);
	}

	int maxConcurrency() {
		return this.concurrencies.stream().mapToInt(Integer::intValue).max().orElse(1);
	}

	String describe() {
		return "mode " + (this.smoke ? "smoke" : "full") + ", sections " + this.sections.stream().sorted().toList()
				+ ", transports " + this.transports.stream().sorted().toList() + ", warm-up " + this.warmup.toMillis()
				+ " ms per transport (then at most " + this.echoSettle.toSeconds()
				+ " s of rounds of every cell until its JVMs stop compiling), " + this.duration.toMillis()
				+ " ms per cell, concurrency " + this.concurrencies + ", large body " + Report.size(this.largeBodySize)
				+ " (median of " + this.largeRepeat + " after a warm-up transfer, and at most "
				+ this.largeSettle.toSeconds()
				+ " s of transfers on every row before, until its JVMs stop compiling), head-of-line concurrency "
				+ this.holConcurrency + " (default windows and " + Report.size(this.holLargeWindow) + ", at most "
				+ this.holSettle.toSeconds() + " s of transfers each until its JVMs stop compiling), long link "
				+ this.rttDelay.toMillis() + " ms each way with " + Report.size(this.rttBodySize)
				+ " bodies and at most " + Report.size(this.proxyMaxInFlight) + " in flight per direction (at most "
				+ this.rttSettle.toSeconds() + " s of transfers until its JVMs stop compiling), idle connections "
				+ this.idleConnections + " (" + this.idleParallelism + " dialing at once, after at most "
				+ this.idleSettle.toSeconds()
				+ " s of connections opened and closed until its JVMs stop compiling), one-JVM table at concurrency "
				+ this.localConcurrencies + ", cluster section at concurrency " + this.clusterConcurrencies + " ("
				+ this.clusterWarmup.toMillis() + " ms warm-up per row, " + this.clusterLargeRepeat
				+ " measured transfer(s) per row and direction, " + this.clusterLookUps
				+ " timed look-ups of each kind, at most " + this.clusterSettle.toSeconds()
				+ " s more load until its JVMs stop compiling), child JVMs " + this.childJvmOptions;
	}

	private static <T> T property(Function<String, @Nullable String> properties, String name, T defaultValue,
			Function<String, T> parser) {
		String value = properties.apply(name);
		return (value == null || value.isBlank()) ? defaultValue : parser.apply(value.trim());
	}

}
