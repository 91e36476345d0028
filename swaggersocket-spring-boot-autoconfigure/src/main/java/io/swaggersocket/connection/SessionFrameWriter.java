package io.swaggersocket.connection;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Writes frames through a session's own {@code send}, for sessions whose Netty channel
 * cannot be reached (another WebSocket adapter, an in-memory session in tests).
 *
 * <p>
 * Messages wait in a queue until the session's sender takes them; DATA is pulled while
 * fewer than {@link #MAX_QUEUED_BYTES} wait, and again once the sender has taken the
 * queue below half of that. One drain at a time, on whichever thread starts it.
 */
final class SessionFrameWriter implements FrameWriter {

	/** The queued bytes up to which DATA is pulled. */
	static final int MAX_QUEUED_BYTES = 1024 * 1024;

	private final WebSocketSession session;

	private final FrameCodec codec;

	private final Runnable overflow;

	private final IntConsumer written;

	private final Sinks.Many<WebSocketMessage> outbound = Sinks.many().unicast().onBackpressureBuffer();

	private final AtomicLong queuedBytes = new AtomicLong();

	private final AtomicInteger pending = new AtomicInteger();

	private final AtomicInteger drains = new AtomicInteger();

	private final AtomicBoolean dataWanted = new AtomicBoolean();

	private volatile @Nullable DataSource source;

	SessionFrameWriter(WebSocketSession session, FrameCodec codec, Runnable overflow, IntConsumer written) {
		this.written = written;
		this.session = session;
		this.codec = codec;
		this.overflow = overflow;
	}

	@Override
	public void write(Frame frame) {
		emit(this.session.binaryMessage((factory) -> factory.wrap(this.codec.encode(frame))), true);
	}

	@Override
	public void writeData(int streamId, boolean endStream, ByteBuf payload) {
		ByteBuf frame = ChannelFrameWriter.dataFrame(PooledByteBufAllocator.DEFAULT, streamId, endStream, payload);
		emit(this.session.binaryMessage((factory) -> wrap(factory, frame)), false);
	}

	@Override
	public void ping(byte[] payload) {
		emit(this.session.pingMessage((factory) -> factory.wrap(payload)), true);
	}

	@Override
	public void pong(byte[] payload) {
		emit(this.session.pongMessage((factory) -> factory.wrap(payload)), true);
	}

	@Override
	public void dataSource(DataSource source) {
		this.source = source;
	}

	@Override
	public void dataReady() {
		this.dataWanted.set(true);
		// never on the caller's thread: it may hold the stream layer's monitor with a
		// stream's HEADERS not yet written, and DATA must not overtake them
		try {
			Schedulers.parallel().schedule(this::drain);
		}
		catch (RejectedExecutionException ex) {
			// shutting down: the session goes with it
		}
	}

	@Override
	public Mono<Void> run() {
		// what the session never takes (it ended) is released here
		return this.session.send(this.outbound.asFlux()
			.doOnNext(this::taken)
			.doOnDiscard(WebSocketMessage.class, WebSocketMessage::release));
	}

	@Override
	public void complete() {
		synchronized (this.outbound) {
			this.outbound.tryEmitComplete();
		}
	}

	@Override
	public boolean isFlushed() {
		return this.pending.get() == 0;
	}

	@Override
	public long queuedBytes() {
		return this.queuedBytes.get();
	}

	private void emit(WebSocketMessage message, boolean control) {
		int size = message.getPayload().readableByteCount();
		long queued = this.queuedBytes.addAndGet(size);
		if (control && queued > MAX_QUEUED_BYTES_OVERFLOW) {
			this.queuedBytes.addAndGet(-size);
			message.release();
			this.overflow.run();
			return;
		}
		Sinks.EmitResult result;
		synchronized (this.outbound) {
			result = this.outbound.tryEmitNext(message);
		}
		if (result.isFailure()) {
			this.queuedBytes.addAndGet(-size);
			message.release();
		}
		else {
			this.pending.incrementAndGet();
		}
	}

	private void taken(WebSocketMessage message) {
		this.pending.decrementAndGet();
		if (message.getType() == WebSocketMessage.Type.BINARY) {
			this.written.accept(message.getPayload().readableByteCount());
		}
		long queued = this.queuedBytes.addAndGet(-message.getPayload().readableByteCount());
		if (queued < MAX_QUEUED_BYTES / 2 && this.dataWanted.get()) {
			drain();
		}
	}

	/**
	 * Pull DATA while the queue has room; one drain at a time, on a thread that holds no
	 * monitor of the stream layer.
	 */
	private void drain() {
		if (this.drains.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			DataSource source = this.source;
			while (source != null && this.queuedBytes.get() < MAX_QUEUED_BYTES) {
				this.dataWanted.set(false);
				if (!source.writeNext(this)) {
					break;
				}
				this.dataWanted.set(true);
			}
			missed = this.drains.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private static DataBuffer wrap(DataBufferFactory factory, ByteBuf frame) {
		if (factory instanceof NettyDataBufferFactory netty) {
			return netty.wrap(frame);
		}
		try {
			byte[] bytes = new byte[frame.readableBytes()];
			frame.readBytes(bytes);
			return factory.wrap(bytes);
		}
		finally {
			frame.release();
		}
	}

}
