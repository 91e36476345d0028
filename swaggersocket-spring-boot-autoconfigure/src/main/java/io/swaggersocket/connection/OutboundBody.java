package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.swaggersocket.protocol.Header;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.PooledDataBuffer;
import org.springframework.util.Assert;

/**
 * This side's half of a stream: its HEADERS, then its body, read one buffer at a time and
 * handed to the {@link OutboundFlowController} as it arrives. The body is read ahead
 * while less than {@link #READ_AHEAD} bytes wait to go out, so a stream holds at most
 * that plus one buffer however much credit the peer grants, and a producer that does not
 * honour backpressure well (a {@code Flux.interval}) is not starved of demand while the
 * transport works. Fields are guarded by the stream layer's monitor.
 */
final class OutboundBody extends BaseSubscriber<DataBuffer> {

	private static final Log logger = LogFactory.getLog(OutboundBody.class);

	private final Multiplexer multiplexer;

	private final Stream stream;

	/** The stream's send credit. */
	long credit;

	@Nullable List<Header> headers;

	private @Nullable Publisher<? extends DataBuffer> body;

	@Nullable MonoSink<Void> sent;

	/** Whether the body has been subscribed (a response: whether it is under way). */
	boolean started;

	/**
	 * The bytes read ahead of the transport beyond which the body is not read: four of
	 * the largest frames this side sends. With one frame's worth, reader and writer take
	 * turns: each frame taken empties the stream, and a body read on another thread (a
	 * gateway's HTTP request, which its server decodes in pieces of 8 KiB) stops, turns
	 * its socket's reads off, and waits to be woken for the next frame; a gateway's
	 * uploads then cost about twice the CPU per byte (docs/benchmarks.md).
	 */
	static final int READ_AHEAD = 4 * OutboundFlowController.MAX_DATA_FRAME;

	/** The buffers to send; the first one's read index at what has gone out. */
	private final ArrayDeque<ByteBuf> buffers = new ArrayDeque<>(2);

	private long bufferedBytes;

	private final AtomicInteger demandLoop = new AtomicInteger();

	/** Whether the body has completed. */
	boolean completed;

	/** Whether a buffer has been requested and not delivered yet: at most one. */
	private boolean demanded;

	/** Whether the stream waits in the distributor's queue. */
	boolean queued;

	OutboundBody(Multiplexer multiplexer, Stream stream, long credit) {
		this.multiplexer = multiplexer;
		this.stream = stream;
		this.credit = credit;
	}

	/**
	 * Keep what to send until the stream starts.
	 * @param headers the header fields
	 * @param body the body
	 */
	void prepare(List<Header> headers, Publisher<? extends DataBuffer> body) {
		this.headers = headers;
		this.body = body;
	}

	/**
	 * Send the HEADERS and start reading the body; called with the monitor held, once the
	 * stream has its id.
	 * @return how the stream ended if the body was empty and complete at once (HEADERS
	 * then carry END_STREAM), {@code null} otherwise
	 */
	@Nullable StreamLocalEnd start() {
		List<Header> headers = this.headers;
		Publisher<? extends DataBuffer> body = this.body;
		Assert.state(headers != null && body != null, "A stream starts once, with its headers and body");
		this.body = null;
		this.started = true;
		body.subscribe(this);
		if (!this.stream.state.localSideOpen()) {
			// the body failed at once and the stream was reset
			this.headers = null;
			return null;
		}
		this.headers = null;
		if (this.completed && this.buffers.isEmpty()) {
			this.multiplexer.writeHeaders(this.stream, headers, true);
			return this.multiplexer.localEnded(this.stream);
		}
		this.multiplexer.writeHeaders(this.stream, headers, false);
		if (this.completed) {
			this.multiplexer.outboundFlow().ready(this.stream);
		}
		return null;
	}

	/**
	 * Whether the stream has a buffer or its end to send.
	 * @return whether it needs a turn
	 */
	boolean hasSomethingToSend() {
		return !this.buffers.isEmpty() || this.completed;
	}

	/**
	 * Whether bytes wait to go out.
	 * @return whether a buffer is queued
	 */
	boolean hasBytes() {
		return !this.buffers.isEmpty();
	}

	/**
	 * Whether the next {@link #take} sends the last bytes of the body.
	 * @param length the bytes to take
	 * @return whether they end the body
	 */
	boolean isLast(int length) {
		return this.completed && this.bufferedBytes == length;
	}

	/**
	 * Return how many bytes wait to go out.
	 * @return the readable bytes of the queued buffers
	 */
	long bufferedBytes() {
		return this.bufferedBytes;
	}

	/**
	 * Take bytes to send: the first buffer, a slice of it, or the first buffers joined. A
	 * body often comes in small buffers (a server's HTTP decoder hands a request body out
	 * in pieces of 8 KiB); joined, what has queued goes out in one frame as large as the
	 * turn allows instead of a frame for each piece, which every hop would frame, write
	 * and read again. Joining copies nothing: the frame is a composite of the buffers.
	 * @param length at most {@link #bufferedBytes()}
	 * @return the bytes, owned by the caller
	 */
	ByteBuf take(int length) {
		ByteBuf first = this.buffers.element();
		this.bufferedBytes -= length;
		if (length < first.readableBytes()) {
			return first.readRetainedSlice(length);
		}
		this.buffers.remove();
		int remaining = length - first.readableBytes();
		if (remaining == 0) {
			return first;
		}
		// as many components as it may take, so that the composite never consolidates
		CompositeByteBuf joined = first.alloc().compositeBuffer(this.buffers.size() + 1);
		joined.addComponent(true, first);
		while (remaining > 0) {
			ByteBuf next = this.buffers.element();
			if (next.readableBytes() <= remaining) {
				this.buffers.remove();
				remaining -= next.readableBytes();
				joined.addComponent(true, next);
			}
			else {
				joined.addComponent(true, next.readRetainedSlice(remaining));
				remaining = 0;
			}
		}
		return joined;
	}

	/**
	 * Ask the body for more while it is below {@link #READ_AHEAD}; called without the
	 * monitor. A synchronous body delivers within the request: the loop, not recursion,
	 * asks again.
	 */
	void readAhead() {
		if (this.demandLoop.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			boolean more;
			synchronized (this.multiplexer) {
				more = this.started && !this.completed && !this.demanded && this.bufferedBytes < READ_AHEAD
						&& this.stream.state.localSideOpen();
				if (more) {
					this.demanded = true;
				}
			}
			if (more) {
				request(1);
			}
			else {
				missed = this.demandLoop.addAndGet(-missed);
			}
		}
		while (missed != 0);
	}

	/** The stream closed: drop what was not sent. */
	void discard() {
		ByteBuf buffer;
		while ((buffer = this.buffers.poll()) != null) {
			buffer.release();
		}
		this.bufferedBytes = 0;
	}

	@Override
	protected void hookOnSubscribe(Subscription subscription) {
		readAhead();
	}

	@Override
	protected void hookOnNext(DataBuffer buffer) {
		ByteBuf bytes = byteBuf(buffer);
		boolean taken = false;
		synchronized (this.multiplexer) {
			this.demanded = false;
			// an empty buffer makes no frame
			if (this.stream.state.localSideOpen() && bytes.isReadable()) {
				this.buffers.add(bytes);
				this.bufferedBytes += bytes.readableBytes();
				this.multiplexer.outboundFlow().ready(this.stream);
				taken = true;
			}
		}
		if (!taken) {
			bytes.release();
		}
		readAhead();
	}

	@Override
	protected void hookOnComplete() {
		synchronized (this.multiplexer) {
			this.completed = true;
			if (this.headers == null) {
				// not while start() is under way: it sends the end with the HEADERS
				this.multiplexer.outboundFlow().ready(this.stream);
			}
		}
	}

	@Override
	protected void hookOnError(Throwable ex) {
		logger.debug(this.multiplexer.logPrefix() + "Body of stream " + this.stream.id + " failed", ex);
		// the writer of the body sees its own error; the peer sees RESET INTERNAL_ERROR
		this.multiplexer.bodyFailed(this.stream, ex);
	}

	/**
	 * The bytes of a body buffer as a Netty buffer, without copying where the buffer
	 * allows it.
	 */
	static ByteBuf byteBuf(DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		if (buffer instanceof PooledDataBuffer) {
			// its memory goes back to a pool we do not know: copy it out and release it
			// now
			try {
				ByteBuf copy = PooledByteBufAllocator.DEFAULT.buffer(buffer.readableByteCount());
				try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
					views.forEachRemaining(copy::writeBytes);
				}
				return copy;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}
		List<ByteBuffer> views = new ArrayList<>(1);
		try (DataBuffer.ByteBufferIterator iterator = buffer.readableByteBuffers()) {
			iterator.forEachRemaining(views::add);
		}
		return Unpooled.wrappedBuffer(views.toArray(ByteBuffer[]::new));
	}

}
