package io.swaggersocket.http;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.sun.management.ThreadMXBean;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Body bytes that the application hands over in heap buffers go to the socket without
 * being copied into fresh heap arrays on the way (issue 10, item 4), in both directions
 * and from both ends of a connection: what the whole JVM (both applications) allocates
 * while 64 MiB cross is a small fraction of the body. The bodies are views of one shared
 * array and the receivers only count, so neither allocates per byte.
 */
class HeapBodyCopyIntegrationTests {

	private static final long SIZE = 64L * 1024 * 1024;

	/**
	 * Less than the body: one copy of it into fresh heap arrays alone would be its size.
	 * Headers, frames, the exchanges and the leak detector's records (PARANOID) come to
	 * about 0.4 bytes per byte moved in this JVM, which holds both ends.
	 */
	private static final long MAX_ALLOCATED = SIZE * 3 / 4;

	private static final TestApplications apps = new TestApplications();

	private static TestApplications.Connected pair;

	@BeforeAll
	static void start() {
		pair = apps.connected();
		// a first transfer each way, so that class loading and JIT are not counted
		upload(pair.serverToClient(), 1024 * 1024);
		upload(pair.clientToServer(), 1024 * 1024);
		download(pair.serverToClient(), 1024 * 1024);
		download(pair.clientToServer(), 1024 * 1024);
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void aRequestBodySentByTheServerSideIsNotCopiedIntoHeapArrays() {
		assertThat(allocatedDuring(() -> upload(pair.serverToClient(), SIZE))).isLessThan(MAX_ALLOCATED);
	}

	@Test
	void aResponseBodySentByTheServerSideIsNotCopiedIntoHeapArrays() {
		assertThat(allocatedDuring(() -> download(pair.clientToServer(), SIZE))).isLessThan(MAX_ALLOCATED);
	}

	@Test
	void aRequestBodySentByTheClientSideIsNotCopiedIntoHeapArrays() {
		assertThat(allocatedDuring(() -> upload(pair.clientToServer(), SIZE))).isLessThan(MAX_ALLOCATED);
	}

	@Test
	void aResponseBodySentByTheClientSideIsNotCopiedIntoHeapArrays() {
		assertThat(allocatedDuring(() -> download(pair.serverToClient(), SIZE))).isLessThan(MAX_ALLOCATED);
	}

	private static long upload(WebClient webClient, long size) {
		Long counted = webClient.post()
			.uri("/stream/count")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(TestEndpoints.sharedViews(size), DataBuffer.class)
			.retrieve()
			.bodyToMono(Long.class)
			.block(Duration.ofMinutes(1));
		assertThat(counted).isEqualTo(size);
		return size;
	}

	private static long download(WebClient webClient, long size) {
		Long received = webClient.get()
			.uri("/stream/shared?size={size}", size)
			.retrieve()
			.bodyToFlux(DataBuffer.class)
			.map((buffer) -> {
				long length = buffer.readableByteCount();
				DataBufferUtils.release(buffer);
				return length;
			})
			.reduce(0L, Long::sum)
			.block(Duration.ofMinutes(1));
		assertThat(received).isEqualTo(size);
		return size;
	}

	/**
	 * Return the heap bytes every thread of the JVM allocated while the transfer ran (a
	 * thread that ended meanwhile is not counted; the transport's threads live on).
	 */
	private static long allocatedDuring(Supplier<Long> transfer) {
		ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
		Map<Long, Long> before = allocatedByThread(threads);
		assertThat(transfer.get()).isEqualTo(SIZE);
		long allocated = 0;
		for (Map.Entry<Long, Long> after : allocatedByThread(threads).entrySet()) {
			allocated += after.getValue() - before.getOrDefault(after.getKey(), 0L);
		}
		System.out.printf("%d MiB moved, %.1f MiB allocated%n", SIZE >> 20, allocated / (1024.0 * 1024.0));
		return allocated;
	}

	private static Map<Long, Long> allocatedByThread(ThreadMXBean threads) {
		long[] ids = threads.getAllThreadIds();
		long[] allocated = threads.getThreadAllocatedBytes(ids);
		Map<Long, Long> byThread = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			if (allocated[i] >= 0) {
				byThread.put(ids[i], allocated[i]);
			}
		}
		return byThread;
	}

}
