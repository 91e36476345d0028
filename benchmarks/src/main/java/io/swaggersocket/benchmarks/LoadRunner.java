package io.swaggersocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Closed-loop load: {@code concurrency} callers each send a request, wait for its answer
 * and send the next, until told to stop. Every answer's latency goes into one histogram.
 */
final class LoadRunner {

	/**
	 * Latencies are recorded in nanoseconds, up to a minute, to three significant digits.
	 */
	private static final long HIGHEST = Duration.ofMinutes(1).toNanos();

	private LoadRunner() {
	}

	/**
	 * Run for a fixed duration.
	 * @param transport the transport
	 * @param concurrency the requests kept in flight
	 * @param duration how long
	 * @return the measurements
	 */
	static Cell run(Transport transport, int concurrency, Duration duration) {
		return run(transport, concurrency, duration, LoadRunner::processCpuNanos);
	}

	/**
	 * Run for a fixed duration.
	 * @param transport the transport
	 * @param concurrency the requests kept in flight
	 * @param duration how long
	 * @param cpu the CPU time of every process taking part, in nanoseconds
	 * @return the measurements
	 */
	static Cell run(Transport transport, int concurrency, Duration duration, LongSupplier cpu) {
		long deadline = System.nanoTime() + duration.toNanos();
		return run(transport, concurrency, () -> System.nanoTime() < deadline, duration.plusMinutes(1), cpu);
	}

	/**
	 * Run until a condition turns false.
	 * @param transport the transport
	 * @param concurrency the requests kept in flight
	 * @param keepGoing checked before each request
	 * @param timeout the longest the run may take
	 * @return the measurements
	 */
	static Cell run(Transport transport, int concurrency, BooleanSupplier keepGoing, Duration timeout) {
		return run(transport, concurrency, keepGoing, timeout, LoadRunner::processCpuNanos);
	}

	/**
	 * Run until a condition turns false.
	 * @param transport the transport
	 * @param concurrency the requests kept in flight
	 * @param keepGoing checked before each request
	 * @param timeout the longest the run may take
	 * @param cpu the CPU time of every process taking part, in nanoseconds
	 * @return the measurements
	 */
	static Cell run(Transport transport, int concurrency, BooleanSupplier keepGoing, Duration timeout,
			LongSupplier cpu) {
		Histogram histogram = new ConcurrentHistogram(HIGHEST, 3);
		LongAdder errors = new LongAdder();
		AtomicLong sequence = new AtomicLong();
		long cpuStart = cpu.getAsLong();
		long start = System.nanoTime();
		Flux.range(0, concurrency).flatMap((worker) -> Mono.defer(() -> {
			long sent = System.nanoTime();
			return transport.echo(sequence.incrementAndGet())
				.doOnNext((answer) -> histogram.recordValue(Math.min(HIGHEST, System.nanoTime() - sent)))
				.then()
				.onErrorResume((ex) -> {
					errors.increment();
					if (errors.sum() == 1) {
						System.err.println("  first error on " + transport.name() + ": " + ex);
					}
					return Mono.empty();
				});
		}).repeat(keepGoing).then(), concurrency).then().block(timeout);
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Cell(histogram, errors.sum(), seconds, cpu.getAsLong() - cpuStart);
	}

	/**
	 * CPU time of this whole process (every thread: whatever end it runs, the load
	 * generator, JIT and GC).
	 * @return nanoseconds
	 */
	static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * Time this process's JIT compilers have spent so far: a cell measured while it still
	 * grows counts compilation in its CPU per request.
	 * @return milliseconds, or 0 if the JVM does not say
	 */
	static long compileMillis() {
		java.lang.management.CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
		return (compiler != null && compiler.isCompilationTimeMonitoringSupported())
				? compiler.getTotalCompilationTime() : 0;
	}

	/**
	 * The result of one run.
	 *
	 * @param histogram the latencies of the answered requests, in nanoseconds
	 * @param errors how many requests failed
	 * @param seconds how long the run took
	 * @param cpuNanos the CPU time the processes taking part used meanwhile
	 */
	record Cell(Histogram histogram, long errors, double seconds, long cpuNanos) {

		double cpuMicrosPerRequest() {
			return (requests() > 0) ? this.cpuNanos / 1e3 / requests() : 0;
		}

		long requests() {
			return this.histogram.getTotalCount();
		}

		double requestsPerSecond() {
			return requests() / this.seconds;
		}

		double percentileMillis(double percentile) {
			return this.histogram.getValueAtPercentile(percentile) / 1e6;
		}

		double maxMillis() {
			return this.histogram.getMaxValue() / 1e6;
		}

	}

}
