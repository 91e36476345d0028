package io.swaggersocket.connection;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.NettyRuntime;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.FrameType;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

/**
 * Writes frames straight to the Netty channel under a WebSocket session, on the channel's
 * event loop.
 *
 * <p>
 * Any thread queues; one drain task on the event loop writes what is queued, then pulls
 * DATA while the channel is writable, and flushes once at the end: a burst of frames from
 * many streams costs one flush, and a long read drains every {@link #INBOUND_BATCH}
 * messages. The channel's writability (its write-buffer water marks) is what DATA waits
 * for, and a handler in the pipeline starts a drain when the channel becomes writable
 * again. DATA goes out as a 10-byte header and a slice of the body's own buffer, without
 * copying, unless the body's bytes are on the heap (see
 * {@link #socketDataFrame(ByteBufAllocator, int, boolean, ByteBuf)}) or this side masks
 * what it sends (see {@link MaskedDataFrame}).
 *
 * <p>
 * It is also the {@link #dispatcher()} that hands the peer's requests off to the event
 * loops, as it knows the channel's.
 */
final class ChannelFrameWriter implements FrameWriter, Executor {

	/**
	 * The channel's write-buffer high-water mark: the most DATA that waits in front of a
	 * new frame on this side (the socket's own buffer comes on top). The same bound as
	 * {@link SessionFrameWriter#MAX_QUEUED_BYTES}. With 256 KiB here and 128 KiB below, a
	 * long transfer on loopback ran at 1,960–2,090 MiB/s where raw WebSocket ran at about
	 * 2,300: each write carried little, and nearly half of the sending loop's time went
	 * to the kernel waking the reader again and again. 1 MiB and 512 KiB gave 2,470–2,760
	 * (docs/benchmarks.md, "fewer, larger writes").
	 */
	static final int HIGH_WATER_MARK = 1024 * 1024;

	/**
	 * Unsent bytes beyond which the kernel reports the socket unwritable (Linux's
	 * {@code TCP_NOTSENT_LOWAT}, set where the epoll transport carries the channel): what
	 * the socket's own buffer holds in front of a new frame, which could otherwise grow
	 * to the several megabytes the kernel's buffer tuning allows.
	 */
	static final long NOT_SENT_LOW_WATER_MARK = 512 * 1024;

	/**
	 * {@code EpollChannelOption.TCP_NOTSENT_LOWAT}, by the name Netty gives it (its class
	 * name, '#', the option's): a plain {@code "TCP_NOTSENT_LOWAT"} is another option,
	 * which the epoll transport ignores.
	 */
	private static final ChannelOption<Long> TCP_NOTSENT_LOWAT = ChannelOption
		.valueOf("io.netty.channel.epoll.EpollChannelOption#TCP_NOTSENT_LOWAT");

	/**
	 * How many inbound messages of one read the event loop handles before it writes what
	 * their handling queued. Were each end to answer only at the end of a read, the two
	 * would take turns, each idle while the other handles a burst of 64 requests or of
	 * their answers (docs/benchmarks.md, "a drain every eight inbound messages").
	 */
	static final int INBOUND_BATCH = 8;

	private static final String WRITABILITY = "swaggersocket.writability";

	private final Channel channel;

	private final FrameCodec codec;

	private final Runnable overflow;

	private final IntConsumer written;

	private final Queue<WebSocketFrame> queue = new ConcurrentLinkedQueue<>();

	private final AtomicLong queuedBytes = new AtomicLong();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	private final Runnable drain = this::drain;

	/** Inbound messages handled since the last drain; on the event loop only. */
	private int handledSinceDrain;

	private volatile @Nullable DataSource source;

	private volatile boolean completed;

	/**
	 * Whether this side masks what it sends (the client role): DATA here, as a
	 * {@link MaskedDataFrame}, other frames in Netty's WebSocket encoder.
	 */
	private final boolean masking;

	/**
	 * Where requests are handed off, found at the first hand-off, on the channel's event
	 * loop: a connection that never hands one off holds none.
	 */
	private @Nullable HandOffLoops handOffs;

	ChannelFrameWriter(Channel channel, FrameCodec codec, Runnable overflow, IntConsumer written, boolean masking) {
		this.written = written;
		this.masking = masking;
		this.channel = channel;
		this.codec = codec;
		this.overflow = overflow;
		channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(HIGH_WATER_MARK / 2, HIGH_WATER_MARK));
		// by name: only the epoll transport knows the option, and its classes may be
		// absent; other transports ignore it
		channel.config().setOption(TCP_NOTSENT_LOWAT, NOT_SENT_LOW_WATER_MARK);
		ChannelPipeline pipeline = channel.pipeline();
		if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
			pipeline.addBefore(NettyPipeline.ReactiveBridge, WRITABILITY, new Writability());
		}
		else {
			pipeline.addLast(WRITABILITY, new Writability());
		}
	}

	@Override
	public void write(Frame frame) {
		enqueue(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(this.codec.encode(frame))));
	}

	@Override
	public void writeData(int streamId, boolean endStream, ByteBuf payload) {
		WebSocketFrame frame = this.masking ? MaskedDataFrame.of(this.channel.alloc(), streamId, endStream, payload)
				: new BinaryWebSocketFrame(socketDataFrame(this.channel.alloc(), streamId, endStream, payload));
		// only from the drain, on the event loop: it writes the queue after this
		this.queuedBytes.addAndGet(frame.content().readableBytes());
		this.queue.offer(frame);
	}

	@Override
	public void ping(byte[] payload) {
		enqueue(new PingWebSocketFrame(Unpooled.wrappedBuffer(payload)));
	}

	@Override
	public void pong(byte[] payload) {
		enqueue(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload)));
	}

	/**
	 * Return this writer, which hands each task to the next of its connection's
	 * {@link HandOffLoops} in turn: no object per connection until its first hand-off.
	 */
	@Override
	public Executor dispatcher() {
		return this;
	}

	/**
	 * Hand a task to the next of its connection's {@link HandOffLoops}, in turn.
	 * @param task the task, typically the handling of a request of the peer's
	 */
	@Override
	public void execute(Runnable task) {
		EventLoop own = this.channel.eventLoop();
		if (!own.inEventLoop()) {
			// the stream layer hands off from the connection's loop; should another
			// thread ever do it, Netty's choice of loop serves, the turns untouched
			EventLoopGroup group = own.parent();
			((group != null) ? group : own).execute(task);
			return;
		}
		HandOffLoops handOffs = this.handOffs;
		if (handOffs == null) {
			handOffs = new HandOffLoops(own, NettyRuntime.availableProcessors());
			this.handOffs = handOffs;
		}
		handOffs.next().execute(task);
	}

	@Override
	public void inboundHandled() {
		// a drain is pending (scheduled) only when something waits to be written
		if (this.channel.eventLoop().inEventLoop() && ++this.handledSinceDrain >= INBOUND_BATCH
				&& this.scheduled.get()) {
			drain();
		}
	}

	@Override
	public void dataSource(DataSource source) {
		this.source = source;
	}

	@Override
	public void dataReady() {
		schedule();
	}

	@Override
	public Mono<Void> run() {
		// the channel ends with the inbound side; write failures close it
		return Mono.never();
	}

	@Override
	public void complete() {
		this.completed = true;
		schedule();
	}

	@Override
	public boolean isFlushed() {
		return this.queue.isEmpty() && !this.scheduled.get();
	}

	@Override
	public long queuedBytes() {
		ChannelOutboundBuffer buffer = this.channel.unsafe().outboundBuffer();
		return this.queuedBytes.get() + ((buffer != null) ? buffer.totalPendingWriteBytes() : 0);
	}

	private void enqueue(WebSocketFrame frame) {
		if (this.completed) {
			frame.release();
			return;
		}
		int size = frame.content().readableBytes();
		long queued = this.queuedBytes.addAndGet(size);
		if (queued + this.channel.bytesBeforeWritable() > MAX_QUEUED_BYTES_OVERFLOW) {
			// the connection is failed for it: what it would have carried is lost with it
			this.queuedBytes.addAndGet(-size);
			frame.release();
			this.overflow.run();
			return;
		}
		this.queue.offer(frame);
		schedule();
	}

	private void schedule() {
		if (this.scheduled.compareAndSet(false, true)) {
			try {
				this.channel.eventLoop().execute(this.drain);
			}
			catch (RejectedExecutionException ex) {
				// the event loop has shut down, and the channel with it
				this.scheduled.set(false);
				releaseQueued();
			}
		}
	}

	private void drain() {
		this.scheduled.set(false);
		this.handledSinceDrain = 0;
		if (!this.channel.isActive() || (this.completed && this.queue.isEmpty())) {
			releaseQueued();
			return;
		}
		boolean written = false;
		DataSource source = this.source;
		while (true) {
			WebSocketFrame frame;
			while ((frame = this.queue.poll()) != null) {
				int size = frame.content().readableBytes();
				this.queuedBytes.addAndGet(-size);
				if (frame instanceof MaskedDataFrame masked) {
					this.written.accept(masked.frameLength());
					// already a WebSocket frame: Netty's encoder lets a ByteBuf through
					this.channel.write(masked.content(), this.channel.voidPromise());
				}
				else {
					if (frame instanceof BinaryWebSocketFrame) {
						this.written.accept(size);
					}
					this.channel.write(frame, this.channel.voidPromise());
				}
				written = true;
			}
			if (source == null || !this.channel.isWritable() || !source.writeNext(this)) {
				break;
			}
		}
		if (written) {
			this.channel.flush();
		}
	}

	private void releaseQueued() {
		WebSocketFrame frame;
		while ((frame = this.queue.poll()) != null) {
			this.queuedBytes.addAndGet(-frame.content().readableBytes());
			frame.release();
		}
	}

	/**
	 * An unmasked DATA frame as the socket can write it without Netty copying it again.
	 * <p>
	 * A payload in direct memory is not copied: the frame is the header and the payload
	 * as they are. A heap payload is copied once, with the header, into a direct buffer
	 * from the allocator and released. The socket needs direct memory, so it is the copy
	 * the transport would make anyway; left to Netty, a header and heap payload would
	 * first be merged into a fresh heap array as large as the payload, and then copied
	 * again.
	 * @param allocator where the header and any copy are allocated
	 * @param streamId the stream id
	 * @param endStream whether the frame ends the stream
	 * @param payload the payload, owned by the result
	 * @return the frame, owning the payload
	 */
	static ByteBuf socketDataFrame(ByteBufAllocator allocator, int streamId, boolean endStream, ByteBuf payload) {
		if (!payload.isReadable() || payload.isDirect()) {
			return dataFrame(allocator, streamId, endStream, payload);
		}
		ByteBuf frame = allocator.directBuffer(FrameCodec.HEADER_LENGTH + payload.readableBytes());
		try {
			writeDataHeader(frame, streamId, endStream, payload.readableBytes());
			// read from the payload, not written into the frame: the payload copies
			// component by component, where the frame's writeBytes would ask a composite
			// payload for one merged (fresh heap) ByteBuffer
			payload.readBytes(frame, payload.readableBytes());
			return frame;
		}
		catch (RuntimeException ex) {
			frame.release();
			throw ex;
		}
		finally {
			payload.release();
		}
	}

	/**
	 * A DATA frame: the header in a buffer of its own, the payload as it is.
	 * @param allocator where the header is allocated
	 * @param streamId the stream id
	 * @param endStream whether the frame ends the stream
	 * @param payload the payload, owned by the result
	 * @return the frame, owning the payload
	 */
	static ByteBuf dataFrame(ByteBufAllocator allocator, int streamId, boolean endStream, ByteBuf payload) {
		ByteBuf header = allocator.buffer(FrameCodec.HEADER_LENGTH);
		writeDataHeader(header, streamId, endStream, payload.readableBytes());
		if (!payload.isReadable()) {
			payload.release();
			return header;
		}
		return allocator.compositeBuffer(2).addComponents(true, header, payload);
	}

	static void writeDataHeader(ByteBuf frame, int streamId, boolean endStream, int length) {
		frame.writeByte(FrameType.DATA.code());
		frame.writeByte(endStream ? Frame.FLAG_END_STREAM : 0);
		frame.writeInt(streamId);
		frame.writeInt(length);
	}

	/**
	 * Starts a drain whenever the channel becomes writable again.
	 */
	private final class Writability extends ChannelInboundHandlerAdapter {

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
			if (ctx.channel().isWritable()) {
				schedule();
			}
			super.channelWritabilityChanged(ctx);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			schedule();
			super.channelInactive(ctx);
		}

	}

}
