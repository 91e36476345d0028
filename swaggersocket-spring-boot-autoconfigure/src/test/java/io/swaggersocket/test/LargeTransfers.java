package io.swaggersocket.test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import reactor.core.publisher.Flux;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 256 MiB through {@link TestEndpoints}' download and upload endpoints, checksummed, with
 * the heap measured after GC every 32 MiB: the growth must not scale with the body.
 */
public final class LargeTransfers {

	/** The body size of every large transfer. */
	public static final long SIZE = 256L * 1024 * 1024;

	/** Heap growth allowed during a transfer: a quarter of the body. */
	public static final double MAX_HEAP_GROWTH_MIB = 64;

	private LargeTransfers() {
	}

	/**
	 * Download {@link #SIZE} bytes, check them, and return the heap growth in MiB.
	 */
	public static double download(WebClient webClient, String uri, Object... variables) {
		String expected = TestEndpoints.sha256Hex(SIZE);
		MessageDigest digest = TestEndpoints.sha256();
		HeapProbe heap = new HeapProbe();
		long received = webClient.get().uri(uri, variables).retrieve().bodyToFlux(DataBuffer.class).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			digest.update(bytes);
			heap.progress(bytes.length);
			return (long) bytes.length;
		}).reduce(0L, Long::sum).block(Duration.ofMinutes(2));
		assertThat(received).isEqualTo(SIZE);
		assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(expected);
		return heap.report("download " + uri);
	}

	/**
	 * Upload {@link #SIZE} bytes to the upload endpoint, check its checksum, and return
	 * the heap growth in MiB.
	 */
	public static double upload(WebClient webClient, String uri, Object... variables) {
		String expected = TestEndpoints.sha256Hex(SIZE);
		HeapProbe heap = new HeapProbe();
		Flux<DataBuffer> body = TestEndpoints.pattern(SIZE)
			.doOnNext((buffer) -> heap.progress(buffer.readableByteCount()));
		Map<String, Object> result = webClient.post()
			.uri(uri, variables)
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(body, DataBuffer.class)
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofMinutes(2));
		assertThat(result).containsEntry("sha256", expected);
		return heap.report("upload " + uri);
	}

	/** Samples heap usage after a full GC every 32 MiB transferred. */
	static final class HeapProbe {

		private static final long EVERY = 32L * 1024 * 1024;

		private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

		private final long baseline;

		private long transferred;

		private long nextSample = EVERY;

		private long maxGrowth;

		private int samples;

		HeapProbe() {
			System.gc();
			this.baseline = this.memory.getHeapMemoryUsage().getUsed();
		}

		synchronized void progress(long bytes) {
			this.transferred += bytes;
			if (this.transferred >= this.nextSample) {
				this.nextSample += EVERY;
				System.gc();
				this.maxGrowth = Math.max(this.maxGrowth, this.memory.getHeapMemoryUsage().getUsed() - this.baseline);
				this.samples++;
			}
		}

		double report(String what) {
			double mib = this.maxGrowth / (1024.0 * 1024.0);
			System.out.printf("256 MiB %s: heap growth after GC during the transfer %.1f MiB (max of %d samples)%n",
					what, mib, this.samples);
			return mib;
		}

	}

}
