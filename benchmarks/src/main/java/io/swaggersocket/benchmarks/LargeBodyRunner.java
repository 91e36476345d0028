package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

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
	 * @param peer the other end's JVM, whose heap is watched too, or {@code null}
	 * @return the median transfer by duration, with the highest heap growth of all
	 */
	static Transfer run(BulkTransport transport, String direction, long size, int repeat, Duration timeout,
			@Nullable ChildJvm peer) {
		return run(transport, direction, size, repeat, timeout, peer, true, null);
	}

	/**
	 * Run one unmeasured transfer, then {@code repeat} measured ones, each watched by a
	 * probe, with no heap meter: with a meter (three full collections before each
	 * transfer, a sampler during it) the cluster section's caller spent 2.1–3.1 ms of CPU
	 * per MiB of upload, against 0.35–0.7 without one and 0.5 for the unmetered warm-up
	 * transfer of the same run, and the throughput measured was the caller's.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param repeat how many measured transfers
	 * @param timeout the longest each may take
	 * @param probe watches each transfer, the warm-up too
	 * @return the median transfer by duration
	 */
	static Transfer run(BulkTransport transport, String direction, long size, int repeat, Duration timeout,
			Probe probe) {
		return run(transport, direction, size, repeat, timeout, null, false, probe);
	}

	private static Transfer run(BulkTransport transport, String direction, long size, int repeat, Duration timeout,
			@Nullable ChildJvm peer, boolean meterHeap, @Nullable Probe probe) {
		// no heap meters on the warm-up transfer: their full collections take longer than
		// the transfer
		Transfer warmUp = run(transport, direction, size, timeout, null, false, true, probe);
		if (warmUp.error() != null) {
			return warmUp;
		}
		List<Transfer> runs = new ArrayList<>();
		for (int i = 0; i < repeat; i++) {
			Transfer transfer = run(transport, direction, size, timeout, peer, meterHeap, false, probe);
			if (transfer.error() != null) {
				return transfer;
			}
			runs.add(transfer);
		}
		runs.sort(Comparator.comparingDouble(Transfer::seconds));
		Transfer median = runs.get(runs.size() / 2);
		long peak = runs.stream().mapToLong(Transfer::peakHeapGrowth).max().orElse(0);
		long live = runs.stream().mapToLong(Transfer::peakLiveGrowth).max().orElse(0);
		long peerPeak = runs.stream().mapToLong(Transfer::peerPeakHeapGrowth).max().orElse(0);
		long peerLive = runs.stream().mapToLong(Transfer::peerLiveGrowth).max().orElse(0);
		return new Transfer(median.transport(), direction, median.flow(), size, median.seconds(), peak, live, peerPeak,
				peerLive, null);
	}

	/**
	 * Run one unmeasured transfer, with no heap meter, to warm the code up.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param timeout the longest it may take
	 * @return the transfer
	 */
	static Transfer warmUp(BulkTransport transport, String direction, long size, Duration timeout) {
		return run(transport, direction, size, timeout, null, false, true, null);
	}

	/**
	 * Run one transfer.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param timeout the longest it may take
	 * @param peer the other end's JVM, whose heap is watched too, or {@code null}
	 * @return the measurement
	 */
	static Transfer run(BulkTransport transport, String direction, long size, Duration timeout,
			@Nullable ChildJvm peer) {
		return run(transport, direction, size, timeout, peer, true, false, null);
	}

	/**
	 * Run one transfer, watched by a probe.
	 * @param transport the transport
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param timeout the longest it may take
	 * @param peer the other end's JVM, whose heap is watched too, or {@code null}
	 * @param probe watches the transfer, or {@code null}
	 * @return the measurement
	 */
	static Transfer run(BulkTransport transport, String direction, long size, Duration timeout, @Nullable ChildJvm peer,
			@Nullable Probe probe) {
		return run(transport, direction, size, timeout, peer, true, false, probe);
	}

	private static Transfer run(BulkTransport transport, String direction, long size, Duration timeout,
			@Nullable ChildJvm peer, boolean meterHeap, boolean warmUp, @Nullable Probe probe) {
		if (peer != null) {
			peer.heapStart();
		}
		HeapMeter heap = meterHeap ? HeapMeter.start() : HeapMeter.none();
		// after the heap meter's collection, which is not timed either
		if (probe != null) {
			probe.before();
		}
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
		finally {
			heap.close();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		if (moved != null && moved != size) {
			error = "moved " + moved + " bytes instead of " + size;
		}
		if (probe != null) {
			Benchmarks.progress(String.format(Locale.ROOT, "    %s %s %s%.2f s: %s", transport.name(), direction,
					warmUp ? "(warm-up) " : "", seconds, probe.after()));
		}
		long[] peerHeap = (peer != null) ? peer.heapStop() : new long[2];
		return new Transfer(transport.name(), direction, transport.flow(direction), size, seconds, heap.peakGrowth(),
				heap.peakLiveGrowth(), peerHeap[0], peerHeap[1], error);
	}

	/**
	 * Watches one transfer: started just before it, asked what it saw just after.
	 */
	interface Probe {

		/** The transfer is about to start. */
		void before();

		/**
		 * The transfer ended.
		 * @return what the probe saw, for the progress output
		 */
		String after();

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
	 * @param peakHeapGrowth the highest sampled heap use above the start, in this JVM
	 * @param peakLiveGrowth the highest heap use after a collection above the start, in
	 * this JVM
	 * @param peerPeakHeapGrowth the same as {@code peakHeapGrowth} in the peer's JVM (0
	 * without one)
	 * @param peerLiveGrowth the same as {@code peakLiveGrowth} in the peer's JVM
	 * @param error what went wrong, or {@code null}
	 */
	record Transfer(String transport, String direction, String flow, long size, double seconds, long peakHeapGrowth,
			long peakLiveGrowth, long peerPeakHeapGrowth, long peerLiveGrowth, @Nullable String error) {

		double mibPerSecond() {
			return (this.size / (1024.0 * 1024.0)) / this.seconds;
		}

		/**
		 * Return the peak heap growth of both ends added up.
		 * @return bytes
		 */
		long bothEndsPeakHeapGrowth() {
			return this.peakHeapGrowth + this.peerPeakHeapGrowth;
		}

	}

}
