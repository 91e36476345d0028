package io.swaggersocket.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Watches one large transfer: the CPU each process taking part spent per MiB moved, and
 * the caller's throughput over time ({@link TransferTrace}), for the progress output.
 */
final class ProcessCpuProbe implements LargeBodyRunner.Probe {

	private final List<String> processes;

	private final Supplier<long[]> cpuNanos;

	private long[] cpuBefore = new long[0];

	private @Nullable TransferTrace trace;

	/**
	 * Create a probe.
	 * @param processes the names of the processes, in the order of {@code cpuNanos}
	 * @param cpuNanos the CPU time each process has spent so far, in nanoseconds
	 */
	ProcessCpuProbe(List<String> processes, Supplier<long[]> cpuNanos) {
		this.processes = processes;
		this.cpuNanos = cpuNanos;
	}

	@Override
	public void before() {
		this.cpuBefore = this.cpuNanos.get();
		this.trace = TransferTrace.start();
	}

	@Override
	public String after() {
		TransferTrace trace = Objects.requireNonNull(this.trace);
		trace.close();
		long[] cpu = this.cpuNanos.get();
		double mebibytes = trace.bytes() / (1024.0 * 1024.0);
		StringJoiner perProcess = new StringJoiner(" ", "CPU ms/MiB: ", "; ");
		for (int i = 0; i < this.processes.size(); i++) {
			perProcess.add(String.format(Locale.ROOT, "%s %.2f", this.processes.get(i),
					(cpu[i] - this.cpuBefore[i]) / 1e6 / mebibytes));
		}
		return perProcess + trace.summary();
	}

}
