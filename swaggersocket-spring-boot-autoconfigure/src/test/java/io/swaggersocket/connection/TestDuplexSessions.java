package io.swaggersocket.connection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.ProtocolException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Two WebFlux {@link WebSocketSession}s joined in memory, the way spring-graphql's
 * {@code TestWebSocketSession} and RSocket's {@code TestDuplexConnection} test a protocol
 * without sockets: what one end sends, the other receives, in order, on its own
 * single-threaded "event loop", as Reactor Netty delivers it.
 *
 * <p>
 * Like a real transport, the pair copies every message into a fresh pooled buffer for the
 * receiver, releases the sender's buffer once it has taken it, and releases the
 * receiver's buffer once the receiver's {@code onNext} has returned (Reactor Netty's
 * inbound does the same: a receiver that keeps a payload retains it). The pooled buffers
 * come from an allocator of the pair's own, without thread caches, so that
 * {@link #liveBuffers()} counts exactly the buffers not yet released.
 *
 * <p>
 * The "wire" in each direction holds at most {@link #WIRE_CAPACITY} messages: a sender
 * whose peer does not take its messages (see {@link Direction#pause()}) stops being read,
 * as over TCP. Every binary message is also decoded with {@link FrameCodec} and recorded,
 * so that tests can assert on the frames each side sent.
 */
final class TestDuplexSessions implements AutoCloseable {

	/**
	 * Messages the wire holds in each direction before the sender stops being read:
	 * Reactor Netty's send takes up to 128 messages ahead of the socket.
	 */
	static final int WIRE_CAPACITY = 128;

	private static final FrameCodec CODEC = new FrameCodec(16 * 1024 * 1024, 16 * 1024 * 1024);

	private static final ByteBuffer ZEROS = ByteBuffer.allocate(256 * 1024).asReadOnlyBuffer();

	private static final InetSocketAddress ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);

	/** One per pair, no thread caches: a released buffer counts as released at once. */
	private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(false, 1, 1, 8192, 9, 0, 0, false);

	private final NettyDataBufferFactory bufferFactory = new NettyDataBufferFactory(this.allocator);

	private final End client;

	private final End server;

	/**
	 * Every frame sent, both directions, in the order the wire took them; guarded by
	 * itself.
	 */
	private final List<Sent> log = new ArrayList<>();

	TestDuplexSessions() {
		this.client = new End("client");
		this.server = new End("server");
		this.client.peer = this.server;
		this.server.peer = this.client;
	}

	/**
	 * The end a client dials with.
	 * @return the client's session
	 */
	End client() {
		return this.client;
	}

	/**
	 * The end a server accepts.
	 * @return the server's session
	 */
	End server() {
		return this.server;
	}

	/**
	 * Every frame sent so far, both directions, in the order the wire took them. DATA
	 * frames keep their length, their payload reads as zeros.
	 * @return a snapshot of the log
	 */
	List<Sent> log() {
		synchronized (this.log) {
			return List.copyOf(this.log);
		}
	}

	/**
	 * Drop the transport, as a TCP reset does: what is on the wire is lost, both ends'
	 * {@code receive()} complete without a close frame, {@code closeStatus()} is empty.
	 */
	void drop() {
		this.client.terminate(null);
		this.server.terminate(null);
	}

	/**
	 * Return the pooled buffers allocated by the pair and not released yet.
	 * @return the live buffer count
	 */
	long liveBuffers() {
		long live = 0;
		for (PoolArenaMetric arena : this.allocator.metric().heapArenas()) {
			live += arena.numActiveAllocations();
		}
		for (PoolArenaMetric arena : this.allocator.metric().directArenas()) {
			live += arena.numActiveAllocations();
		}
		return live;
	}

	@Override
	public void close() {
		drop();
		this.client.loop.dispose();
		this.server.loop.dispose();
	}

	/**
	 * A frame and who sent it.
	 *
	 * @param from "client" or "server"
	 * @param frame the decoded frame, {@code null} if it did not decode
	 */
	record Sent(String from, @Nullable Frame frame) {

		boolean fromClient() {
			return "client".equals(this.from);
		}

	}

	/**
	 * One direction of the wire, named for its receiver.
	 */
	interface Direction {

		/**
		 * Stop delivering to the receiver; the sender is read until the wire is full.
		 */
		void pause();

		/**
		 * Deliver again, starting with what was held.
		 */
		void resume();

		/**
		 * Return the messages on the wire, sent and not yet delivered.
		 * @return the count
		 */
		int inFlight();

	}

	/**
	 * One end: a {@link WebSocketSession} for the connection layer, or a raw peer the
	 * test drives with {@link #sendFrame(Frame)}.
	 */
	final class End implements WebSocketSession, Direction {

		private final String name;

		private final Scheduler loop;

		private final HandshakeInfo handshakeInfo;

		private final Map<String, Object> attributes = new ConcurrentHashMap<>();

		private final Sinks.One<CloseStatus> closeStatus = Sinks.one();

		/** Messages on their way to this end; guarded by this end. */
		private final ArrayDeque<Object> wire = new ArrayDeque<>();

		/** Guarded by itself. */
		private final List<Frame> received = new ArrayList<>();

		@SuppressWarnings("NullAway.Init")
		End peer;

		private boolean paused;

		private boolean terminated;

		private @Nullable FluxSink<WebSocketMessage> receiver;

		private volatile @Nullable WireSubscriber sender;

		End(String name) {
			this.name = name;
			this.loop = Schedulers.newSingle("duplex-" + name, true);
			this.handshakeInfo = new HandshakeInfo(URI.create("ws://in-memory/swaggersocket"), new HttpHeaders(),
					new LinkedMultiValueMap<>(), Mono.empty(), FrameCodec.SUBPROTOCOL, ADDRESS, Map.of(),
					"[" + name + "] ");
		}

		// ---- test controls

		@Override
		public synchronized void pause() {
			this.paused = true;
		}

		@Override
		public void resume() {
			synchronized (this) {
				this.paused = false;
			}
			scheduleDrain();
		}

		@Override
		public synchronized int inFlight() {
			return (int) this.wire.stream().filter(WebSocketMessage.class::isInstance).count();
		}

		/**
		 * Send one frame to the other end, bypassing any connection on this end: a raw
		 * peer.
		 * @param frame the frame
		 */
		void sendFrame(Frame frame) {
			ByteBuffer encoded = CODEC.encode(frame);
			sendRaw(encoded);
		}

		/**
		 * Send bytes as one binary message, whatever they are.
		 * @param bytes the message payload
		 */
		void sendRaw(ByteBuffer bytes) {
			DataBuffer payload = bufferFactory().allocateBuffer(bytes.remaining());
			payload.write(bytes);
			transmit(new WebSocketMessage(WebSocketMessage.Type.BINARY, payload));
		}

		/**
		 * The frames this end sent, in order.
		 * @return a snapshot
		 */
		List<Frame> sent() {
			return frames((sent) -> sent.from().equals(this.name));
		}

		/**
		 * The frames of the given type this end sent, in order.
		 * @param <F> the frame type
		 * @param type the frame class
		 * @return a snapshot
		 */
		<F extends Frame> List<F> sent(Class<F> type) {
			return sent().stream().filter(type::isInstance).map(type::cast).toList();
		}

		/**
		 * The frames delivered to this end, also when no connection reads them (a raw
		 * peer).
		 * @return a snapshot
		 */
		List<Frame> received() {
			synchronized (this.received) {
				return List.copyOf(this.received);
			}
		}

		private List<Frame> frames(Predicate<Sent> filter) {
			List<Frame> frames = new ArrayList<>();
			for (Sent sent : log()) {
				if (filter.test(sent) && sent.frame() != null) {
					frames.add(sent.frame());
				}
			}
			return frames;
		}

		// ---- WebSocketSession

		@Override
		public String getId() {
			return this.name;
		}

		@Override
		public HandshakeInfo getHandshakeInfo() {
			return this.handshakeInfo;
		}

		@Override
		public DataBufferFactory bufferFactory() {
			return TestDuplexSessions.this.bufferFactory;
		}

		@Override
		public Map<String, Object> getAttributes() {
			return this.attributes;
		}

		@Override
		public Flux<WebSocketMessage> receive() {
			return Flux.create((sink) -> {
				synchronized (this) {
					if (this.receiver != null) {
						sink.error(new IllegalStateException("receive() subscribed twice"));
						return;
					}
					this.receiver = sink;
					if (this.terminated) {
						sink.complete();
						return;
					}
				}
				sink.onRequest((n) -> scheduleDrain());
			});
		}

		@Override
		public Mono<Void> send(Publisher<WebSocketMessage> messages) {
			return Mono.create((sink) -> {
				WireSubscriber subscriber = new WireSubscriber(this, sink::success, sink::error);
				synchronized (this) {
					this.sender = subscriber;
					if (this.terminated) {
						sink.success();
						return;
					}
				}
				sink.onCancel(subscriber);
				messages.subscribe(subscriber);
			});
		}

		@Override
		public synchronized boolean isOpen() {
			return !this.terminated;
		}

		/**
		 * Send a close frame after what is on the wire; the peer's receive completes with
		 * this status once it gets there, and this end's once the peer has echoed it.
		 */
		@Override
		public Mono<Void> close(CloseStatus status) {
			return Mono.fromRunnable(() -> {
				synchronized (this.peer) {
					if (this.peer.terminated || this.peer.wire.stream().anyMatch(CloseStatus.class::isInstance)) {
						return;
					}
					this.peer.wire.add(status);
				}
				this.peer.scheduleDrain();
			});
		}

		@Override
		public Mono<CloseStatus> closeStatus() {
			return this.closeStatus.asMono();
		}

		@Override
		public WebSocketMessage textMessage(String payload) {
			return new WebSocketMessage(WebSocketMessage.Type.TEXT,
					bufferFactory().wrap(payload.getBytes(StandardCharsets.UTF_8)));
		}

		@Override
		public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return new WebSocketMessage(WebSocketMessage.Type.BINARY, payloadFactory.apply(bufferFactory()));
		}

		@Override
		public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return new WebSocketMessage(WebSocketMessage.Type.PING, payloadFactory.apply(bufferFactory()));
		}

		@Override
		public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
			return new WebSocketMessage(WebSocketMessage.Type.PONG, payloadFactory.apply(bufferFactory()));
		}

		@Override
		public String toString() {
			return "TestDuplexSessions." + this.name;
		}

		// ---- the wire

		/**
		 * The sender's message goes on the wire towards the peer: recorded, copied into a
		 * pooled buffer of the peer's, and the sender's buffer released, as a transport
		 * that has written it does.
		 * @return whether the wire took it (false once the connection is gone)
		 */
		private boolean transmit(WebSocketMessage message) {
			DataBuffer payload = message.getPayload();
			try {
				if (message.getType() == WebSocketMessage.Type.BINARY) {
					Sent sent = new Sent(this.name, withoutBody(decode(payload)));
					synchronized (TestDuplexSessions.this.log) {
						TestDuplexSessions.this.log.add(sent);
					}
				}
				End peer = this.peer;
				synchronized (peer) {
					if (peer.terminated || this.terminated
							|| peer.wire.stream().anyMatch(CloseStatus.class::isInstance)) {
						// after a close frame, nothing more goes out (RFC 6455 section
						// 5.5.1)
						return false;
					}
					DataBuffer copy = bufferFactory().allocateBuffer(payload.readableByteCount());
					copy.write(payload.asByteBuffer());
					peer.wire.add(new WebSocketMessage(message.getType(), copy));
				}
				peer.scheduleDrain();
				return true;
			}
			finally {
				DataBufferUtils.release(payload);
			}
		}

		/**
		 * The log keeps the length of a DATA payload, not its bytes: a stress test moves
		 * hundreds of megabytes.
		 */
		private @Nullable Frame withoutBody(@Nullable Frame frame) {
			if (frame instanceof Frame.Data data) {
				int length = data.data().remaining();
				ByteBuffer zeros = (length <= ZEROS.capacity()) ? ZEROS.duplicate().limit(length).slice()
						: ByteBuffer.allocate(length);
				return new Frame.Data(data.streamId(), data.endStream(), zeros.asReadOnlyBuffer());
			}
			return frame;
		}

		private @Nullable Frame decode(DataBuffer payload) {
			byte[] bytes = new byte[payload.readableByteCount()];
			payload.toByteBuffer(payload.readPosition(), ByteBuffer.wrap(bytes), 0, bytes.length);
			try {
				return CODEC.decode(ByteBuffer.wrap(bytes));
			}
			catch (ProtocolException ex) {
				return null;
			}
		}

		private void scheduleDrain() {
			if (!this.loop.isDisposed()) {
				this.loop.schedule(this::drain);
			}
		}

		/** On this end's loop only: hand the receiver what it asked for. */
		private void drain() {
			while (true) {
				Object next;
				FluxSink<WebSocketMessage> receiver;
				synchronized (this) {
					receiver = this.receiver;
					if (this.terminated || this.paused || receiver == null || this.wire.isEmpty()) {
						return;
					}
					next = this.wire.peek();
					if (next instanceof WebSocketMessage && receiver.requestedFromDownstream() <= 0) {
						return;
					}
					this.wire.poll();
				}
				if (next instanceof CloseStatus status) {
					// the peer's close frame: Reactor Netty answers it and ends the
					// connection, so both ends see the status
					terminate(status);
					this.peer.terminate(status);
					return;
				}
				WebSocketMessage message = (WebSocketMessage) next;
				WireSubscriber sender = this.peer.sender;
				if (sender != null) {
					sender.delivered();
				}
				try {
					if (message.getType() == WebSocketMessage.Type.BINARY) {
						Frame frame = decode(message.getPayload());
						if (frame != null) {
							synchronized (this.received) {
								this.received.add(withoutBody(frame));
							}
						}
					}
					receiver.next(message);
				}
				finally {
					// as Reactor Netty's inbound: a receiver that keeps the payload
					// retains
					// it
					DataBufferUtils.release(message.getPayload());
				}
			}
		}

		/**
		 * End this end: what is on the wire towards it is lost, its receive completes,
		 * its send is done.
		 */
		void terminate(@Nullable CloseStatus status) {
			List<Object> lost;
			FluxSink<WebSocketMessage> receiver;
			WireSubscriber sender;
			synchronized (this) {
				if (this.terminated) {
					return;
				}
				this.terminated = true;
				lost = new ArrayList<>(this.wire);
				this.wire.clear();
				receiver = this.receiver;
				sender = this.sender;
			}
			for (Object message : lost) {
				if (message instanceof WebSocketMessage webSocketMessage) {
					DataBufferUtils.release(webSocketMessage.getPayload());
				}
			}
			if (status != null) {
				this.closeStatus.tryEmitValue(status);
			}
			else {
				this.closeStatus.tryEmitEmpty();
			}
			if (receiver != null) {
				receiver.complete();
			}
			if (sender != null) {
				sender.ended();
			}
		}

	}

	/**
	 * Takes a session's outbound messages as the wire has room for them.
	 */
	private static final class WireSubscriber extends BaseSubscriber<WebSocketMessage> {

		private final End end;

		private final Runnable onDone;

		private final Consumer<Throwable> onError;

		private final AtomicBoolean done = new AtomicBoolean();

		WireSubscriber(End end, Runnable onDone, Consumer<Throwable> onError) {
			this.end = end;
			this.onDone = onDone;
			this.onError = onError;
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
			request(WIRE_CAPACITY);
		}

		@Override
		protected void hookOnNext(WebSocketMessage message) {
			if (!this.end.transmit(message)) {
				// lost: the wire has room for the next one
				request(1);
			}
		}

		/** The peer took one message off the wire: room for one more. */
		void delivered() {
			if (!isDisposed()) {
				request(1);
			}
		}

		@Override
		protected void hookOnComplete() {
			if (this.done.compareAndSet(false, true)) {
				this.onDone.run();
			}
		}

		@Override
		protected void hookOnError(Throwable throwable) {
			if (this.done.compareAndSet(false, true)) {
				this.onError.accept(throwable);
			}
		}

		/** The transport is gone: the send is over, whatever the publisher still has. */
		void ended() {
			dispose();
			if (this.done.compareAndSet(false, true)) {
				this.onDone.run();
			}
		}

	}

}
