package io.swaggersocket.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Large bodies for every transport: 64 KiB views of one shared, read-only array of random
 * bytes, so that producing a body costs next to nothing and every transport pays the
 * same.
 */
final class Chunks {

	static final int SIZE = 64 * 1024;

	private static final byte[] CHUNK = new byte[SIZE];

	static {
		ThreadLocalRandom.current().nextBytes(CHUNK);
	}

	/**
	 * The bytes this JVM's bodies produced and counted so far, for a trace of a
	 * transfer's throughput over time.
	 */
	private static final AtomicLong moved = new AtomicLong();

	private Chunks() {
	}

	/**
	 * Return the bytes produced by {@link #body} and counted by {@link #count} in this
	 * JVM so far.
	 * @return bytes
	 */
	static long moved() {
		return moved.get();
	}

	/**
	 * A body of the given size, as buffers generated on demand.
	 * @param size the body size in bytes
	 * @return the buffers
	 */
	static Flux<DataBuffer> body(long size) {
		return Flux.generate(() -> 0L, (offset, sink) -> {
			if (offset >= size) {
				sink.complete();
				return offset;
			}
			int length = (int) Math.min(SIZE, size - offset);
			moved.addAndGet(length);
			sink.next(DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(CHUNK, 0, length).slice()));
			return offset + length;
		});
	}

	/**
	 * The bytes of a chunk of the given length, for transports that send arrays.
	 * @param length at most {@link #SIZE}
	 * @return a read-only view
	 */
	static ByteBuffer view(int length) {
		return ByteBuffer.wrap(CHUNK, 0, length).slice().asReadOnlyBuffer();
	}

	/**
	 * Count the bytes of a body, releasing each buffer.
	 * @param body the body
	 * @return the byte count
	 */
	static Mono<Long> count(Flux<DataBuffer> body) {
		return body.reduce(0L, (total, buffer) -> {
			long sum = total + buffer.readableByteCount();
			moved.addAndGet(buffer.readableByteCount());
			DataBufferUtils.release(buffer);
			return sum;
		});
	}

}
