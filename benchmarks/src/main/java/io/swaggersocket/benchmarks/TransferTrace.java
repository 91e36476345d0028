package io.swaggersocket.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The throughput of one transfer over time, as seen by this JVM's end of it: the bytes
 * {@link Chunks} produced (upload) or counted (download), sampled every
 * {@value #INTERVAL_MILLIS} ms on a thread of its own. A transfer through two
 * flow-controlled hops in series that stalls shows up as intervals that moved next to
 * nothing, where a steady but slower one does not.
 */
final class TransferTrace implements AutoCloseable {

	static final int INTERVAL_MILLIS = 50;

	private final List<long[]> samples = new ArrayList<>();

	private final Thread sampler;

	private volatile boolean stopped;

	private TransferTrace() {
		this.sampler = new Thread(this::sample, "transfer-trace");
		this.sampler.setDaemon(true);
	}

	/**
	 * Start sampling.
	 * @return the trace, to close when the transfer ends
	 */
	static TransferTrace start() {
		TransferTrace trace = new TransferTrace();
		trace.record();
		trace.sampler.start();
		return trace;
	}

	private void sample() {
		while (!this.stopped) {
			Topology.sleep(INTERVAL_MILLIS);
			record();
		}
	}

	private void record() {
		long[] sample = { System.nanoTime(), Chunks.moved() };
		synchronized (this.samples) {
			this.samples.add(sample);
		}
	}

	@Override
	public void close() {
		this.stopped = true;
		try {
			this.sampler.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		record();
	}

	/**
	 * Return the bytes moved between the start and the close.
	 * @return bytes
	 */
	long bytes() {
		synchronized (this.samples) {
			return this.samples.get(this.samples.size() - 1)[1] - this.samples.get(0)[1];
		}
	}

	/**
	 * Summarize the trace: each interval's rate in MiB/s, and how many intervals moved
	 * less than a quarter of the median interval's bytes (stalls).
	 * @return the summary, for the progress output
	 */
	String summary() {
		List<Double> rates = new ArrayList<>();
		synchronized (this.samples) {
			for (int i = 1; i < this.samples.size(); i++) {
				long[] before = this.samples.get(i - 1);
				long[] after = this.samples.get(i);
				double seconds = (after[0] - before[0]) / 1e9;
				if (seconds > 0.005) {
					rates.add((after[1] - before[1]) / (1024.0 * 1024.0) / seconds);
				}
			}
		}
		if (rates.isEmpty()) {
			return "no samples";
		}
		List<Double> sorted = new ArrayList<>(rates);
		sorted.sort(null);
		double median = sorted.get(sorted.size() / 2);
		long stalls = rates.stream().filter((rate) -> rate < median / 4).count();
		StringJoiner series = new StringJoiner(" ");
		rates.forEach((rate) -> series.add(String.format(Locale.ROOT, "%.0f", rate)));
		return String.format(Locale.ROOT,
				"MiB/s per %d ms: median %.0f, min %.0f, max %.0f, %d of %d below a quarter of the median [%s]",
				INTERVAL_MILLIS, median, sorted.get(0), sorted.get(sorted.size() - 1), stalls, rates.size(), series);
	}

}
