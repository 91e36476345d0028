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
 * @param sections which parts run: {@code echo}, {@code large}, {@code hol}, {@code idle}
 * @param transports which transports the echo and large-body parts use: {@code http},
 * {@code hub-to-agent}, {@code agent-to-hub}, {@code rsocket}, {@code raw}
 * @param warmup how long each transport runs before anything is measured
 * @param duration how long each measured echo cell runs
 * @param concurrencies the numbers of requests kept in flight
 * @param largeBodySize the size of each large download and upload
 * @param largeRepeat how many measured transfers per transport and direction (after one
 * unmeasured warm-up transfer); the report shows the median
 * @param holConcurrency small requests kept in flight during the head-of-line transfer
 * @param idleConnections how many idle SwaggerSocket connections to open
 * @param idleParallelism how many of them may be handshaking at once
 * @param idleHistogram whether to print the heap's top classes with the idle connections
 * open
 * @param transferTimeout how long one large transfer or the idle phase may take before it
 * counts as failed
 */
record BenchmarkSettings(boolean smoke, Set<String> sections, Set<String> transports, Duration warmup,
		Duration duration, List<Integer> concurrencies, long largeBodySize, int largeRepeat, int holConcurrency,
		int idleConnections, int idleParallelism, boolean idleHistogram, Duration transferTimeout) {

	static final Set<String> ALL_SECTIONS = Set.of("echo", "large", "hol", "idle");

	static final Set<String> ALL_TRANSPORTS = Set.of("http", "hub-to-agent", "agent-to-hub", "rsocket", "raw");

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
				property(properties, "bench.warmup", smoke ? Duration.ofMillis(200) : Duration.ofSeconds(10),
						DurationStyle::detectAndParse),
				property(properties, "bench.duration", smoke ? Duration.ofMillis(200) : Duration.ofSeconds(10),
						DurationStyle::detectAndParse),
				property(properties, "bench.concurrency", List.of(1, 16, 64, 256),
						(value) -> Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList()),
				property(properties, "bench.large.size", smoke ? DataSize.ofMegabytes(8) : DataSize.ofMegabytes(256),
						DataSize::parse)
					.toBytes(),
				property(properties, "bench.large.repeat", smoke ? 1 : 3, Integer::valueOf),
				property(properties, "bench.hol.concurrency", 1, Integer::valueOf),
				property(properties, "bench.idle.connections", smoke ? 50 : 2000, Integer::valueOf),
				property(properties, "bench.idle.parallelism", 64, Integer::valueOf),
				property(properties, "bench.idle.histogram", false, Boolean::valueOf),
				property(properties, "bench.timeout", Duration.ofMinutes(5), DurationStyle::detectAndParse));
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
				+ " ms per transport, " + this.duration.toMillis() + " ms per cell, concurrency " + this.concurrencies
				+ ", large body " + Report.size(this.largeBodySize) + " (median of " + this.largeRepeat
				+ " after a warm-up transfer), head-of-line concurrency " + this.holConcurrency + ", idle connections "
				+ this.idleConnections + " (" + this.idleParallelism + " dialing at once)";
	}

	private static <T> T property(Function<String, @Nullable String> properties, String name, T defaultValue,
			Function<String, T> parser) {
		String value = properties.apply(name);
		return (value == null || value.isBlank()) ? defaultValue : parser.apply(value.trim());
	}

}
