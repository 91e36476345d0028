package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * Small requests on a SwaggerSocket connection while a large body moves on the same
 * socket.
 */
final class HeadOfLineRunner {

	private HeadOfLineRunner() {
	}

	/**
	 * Start the transfer, run small requests until it ends.
	 * @param transport the SwaggerSocket transport (echo and bulk on the same connection)
	 * @param windows the windows the two ends declared, for the report
	 * @param direction {@code download} or {@code upload}
	 * @param size the body size
	 * @param concurrency small requests kept in flight
	 * @param timeout the longest it may take
	 * @return the measurement
	 */
	static Result run(WebClientTransport transport, String windows, String direction, long size, int concurrency,
			Duration timeout) {
		long start = System.nanoTime();
		CompletableFuture<Long> transfer = ("download".equals(direction) ? transport.download(size)
				: transport.upload(size))
			.toFuture();
		LoadRunner.Cell small = LoadRunner.run(transport, concurrency, () -> !transfer.isDone(), timeout);
		String error = null;
		try {
			long moved = transfer.join();
			if (moved != size) {
				error = "moved " + moved + " bytes instead of " + size;
			}
		}
		catch (RuntimeException ex) {
			error = ex.toString();
			System.err.println("  head-of-line transfer failed: " + ex);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Result(transport.name(), windows, direction, size, seconds, small, error);
	}

	/**
	 * The small requests' latencies during the transfer.
	 *
	 * @param transport the transport's name
	 * @param windows the windows the two ends declared
	 * @param direction of the large body
	 * @param size the body size
	 * @param transferSeconds how long the transfer took
	 * @param small the small requests
	 * @param error what went wrong with the transfer, or {@code null}
	 */
	record Result(String transport, String windows, String direction, long size, double transferSeconds,
			LoadRunner.Cell small, @Nullable String error) {

		double mibPerSecond() {
			return (this.size / (1024.0 * 1024.0)) / this.transferSeconds;
		}

	}

}
