package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Moves one large body and measures throughput and heap growth.
 */
final class LargeBodyRunner {

	private LargeBodyRunner() {
	}

	/**
	 * Run one unmeasured transfer, then {@code repeat} measured ones.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param repeat how many measured transfers
	 * @param timeout the longest each may take
	 * @return the median transfer by duration, with the highest heap growth of all
	 */
	static Transfer run(BulkTransport transport, String direction, long size, int repeat, Duration timeout) {
		Transfer warmUp = run(transport, direction, size, timeout);
		if (warmUp.error() != null) {
			return warmUp;
		}
		List<Transfer> runs = new ArrayList<>();
		for (int i = 0; i < repeat; i++) {
			Transfer transfer = run(transport, direction, size, timeout);
			if (transfer.error() != null) {
				return transfer;
			}
			runs.add(transfer);
		}
		runs.sort(Comparator.comparingDouble(Transfer::seconds));
		Transfer median = runs.get(runs.size() / 2);
		long peak = runs.stream().mapToLong(Transfer::peakHeapGrowth).max().orElse(0);
		long live = runs.stream().mapToLong(Transfer::peakLiveGrowth).max().orElse(0);
		return new Transfer(median.transport(), direction, median.flow(), size, median.seconds(), peak, live, null);
	}

	/**
	 * Run one transfer.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param timeout the longest it may take
	 * @return the measurement
	 */
	static Transfer run(BulkTransport transport, String direction, long size, Duration timeout) {
		try (HeapMeter heap = HeapMeter.start()) {
			long start = System.nanoTime();
			Mono<Long> transfer = "download".equals(direction) ? transport.download(size) : transport.upload(size);
			Long moved;
			String error = null;
			try {
				moved = transfer.block(timeout);
			}
			catch (RuntimeException ex) {
				moved = null;
				error = ex.toString();
				System.err.println("  " + transport.name() + " " + direction + " failed: " + ex);
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			if (moved != null && moved != size) {
				error = "moved " + moved + " bytes instead of " + size;
			}
			return new Transfer(transport.name(), direction, transport.flow(direction), size, seconds,
					heap.peakGrowth(), heap.peakLiveGrowth(), error);
		}
	}

	/**
	 * One transfer's figures.
	 *
	 * @param transport the transport's name
	 * @param direction {@code download} or {@code upload}
	 * @param flow which way the bytes crossed the connection, see
	 * {@link BulkTransport#flow(String)}
	 * @param size the body size
	 * @param seconds how long it took
	 * @param peakHeapGrowth the highest sampled heap use above the start
	 * @param peakLiveGrowth the highest heap use after a collection above the start
	 * @param error what went wrong, or {@code null}
	 */
	record Transfer(String transport, String direction, String flow, long size, double seconds, long peakHeapGrowth,
			long peakLiveGrowth, @Nullable String error) {

		double mibPerSecond() {
			return (this.size / (1024.0 * 1024.0)) / this.seconds;
		}

	}

}
