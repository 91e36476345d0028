package io.swaggersocket.websocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.websocket.WebSocketRecords.ReceivedRecord;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;

/**
 * A WebSocket session over one SwaggerSocket stream: this side's messages are the body it
 * sends, the peer's the body it receives, both under the stream's flow control.
 *
 * <p>
 * The peer's records are read as {@link #receive()} asks for messages, with at most one
 * message waiting, so a slow reader slows the peer's sender; pings are answered and a
 * close is noticed even while no one reads. Received payloads are heap buffers, which
 * need no release.
 */
final class StreamWebSocketSession extends AbstractWebSocketSession<SwaggerSocketConnection> {

	/** How long a close waits for the peer's before the stream is reset. */
	static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	private final Outbound outbound;

	private final Inbound inbound;

	private final Sinks.One<CloseStatus> closeStatus = Sinks.one();

	private final Sinks.Empty<Void> inboundDone = Sinks.empty();

	StreamWebSocketSession(SwaggerSocketConnection connection, String id, HandshakeInfo info, Outbound outbound,
			Flux<DataBuffer> body, int maxMessageSize) {
		super(connection, id, info, DefaultDataBufferFactory.sharedInstance);
		this.outbound = outbound;
		this.inbound = new Inbound(new WebSocketRecords.Decoder(maxMessageSize));
		body.concatMapIterable(this.inbound.decoder::decode, 1)
			// a buffer read ahead when the session ends is released, not dropped
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
			.subscribe(this.inbound);
		// a WebSocket lives as long as its users want: a draining connection asks them to
		// go elsewhere, as a server going away does, rather than wait for them
		Disposable goingAway = connection.goingAway().subscribe(null, null, () -> {
			if (logger.isDebugEnabled()) {
				logger.debug(getLogPrefix() + "Closing with 1001: the connection is going away");
			}
			closeWith(CloseStatus.GOING_AWAY);
		});
		this.inboundDone.asMono().doFinally((signal) -> goingAway.dispose()).subscribe();
	}

	@Override
	public Flux<WebSocketMessage> receive() {
		return Flux.create(this.inbound::attach);
	}

	@Override
	public Mono<Void> send(Publisher<WebSocketMessage> messages) {
		return this.outbound.send(messages);
	}

	@Override
	public boolean isOpen() {
		return !this.outbound.isClosing() && !this.inbound.ended();
	}

	@Override
	public Mono<Void> close(CloseStatus status) {
		return Mono.fromRunnable(() -> closeWith(status));
	}

	@Override
	public Mono<CloseStatus> closeStatus() {
		return this.closeStatus.asMono();
	}

	/**
	 * Complete when the session is over: both sides ended their halves of the stream.
	 * @return completes when both the sent and the received bodies have ended
	 */
	Mono<Void> done() {
		return Mono.when(this.outbound.done(), this.inboundDone.asMono());
	}

	/**
	 * Give up the session at once: the stream is reset, nothing more is sent.
	 */
	void abort() {
		this.outbound.close(null);
		this.inbound.giveUp();
	}

	private void closeWith(CloseStatus status) {
		if (this.outbound.close(status)) {
			if (logger.isDebugEnabled()) {
				logger.debug(getLogPrefix() + "Sending close " + status);
			}
			// the peer did not answer the close: give up on its half of the stream
			Disposable timeout = Mono.delay(CLOSE_TIMEOUT).subscribe((tick) -> this.inbound.giveUp());
			this.inboundDone.asMono().doFinally((signal) -> timeout.dispose()).subscribe();
		}
	}

	/**
	 * This side's half: the messages of {@link #send} calls one publisher at a time,
	 * pongs in between, and at the end the close record, after which the stream's sending
	 * side ends. Created before the session, since the client's stream needs its body
	 * before the peer has answered.
	 */
	static final class Outbound {

		private static final Log logger = LogFactory.getLog(Outbound.class);

		private static final int MAX_WAITING_PONGS = 16;

		private final Sinks.Many<DataBuffer> pongs = Sinks.many()
			.unicast()
			.onBackpressureBuffer(Queues.<DataBuffer>get(MAX_WAITING_PONGS).get());

		private final Sinks.Many<Flux<DataBuffer>> sends = Sinks.many().unicast().onBackpressureBuffer();

		private final AtomicBoolean closed = new AtomicBoolean();

		private final Sinks.Empty<Void> closing = Sinks.empty();

		private final AtomicReference<@Nullable CloseStatus> closeSent = new AtomicReference<>();

		private final Sinks.Empty<Void> done = Sinks.empty();

		/**
		 * The body to send: subscribed once, by the stream.
		 * @return the records
		 */
		Flux<DataBuffer> body() {
			return Flux.merge(this.pongs.asFlux(), this.sends.asFlux().concatMap((records) -> records, 0))
				.concatWith(Mono.fromSupplier(() -> {
					CloseStatus status = this.closeSent.get();
					return (status != null) ? WebSocketRecords.close(status) : null;
				}))
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
				.doFinally((signal) -> {
					if (logger.isTraceEnabled()) {
						logger.trace("Sending side ended: " + signal);
					}
					this.done.tryEmitEmpty();
				});
		}

		Mono<Void> send(Publisher<WebSocketMessage> messages) {
			return Mono.create((sink) -> {
				Sinks.Empty<Void> cancelled = Sinks.empty();
				Flux<DataBuffer> records = Flux.from(messages)
					.map(WebSocketRecords::encode)
					.takeUntilOther(Mono.firstWithSignal(this.closing.asMono(), cancelled.asMono()))
					.doOnComplete(sink::success)
					.onErrorResume((ex) -> {
						sink.error(ex);
						return Flux.empty();
					})
					.doOnCancel(() -> sink.error(new IllegalStateException("The WebSocket session ended")))
					.doOnDiscard(WebSocketMessage.class, (message) -> DataBufferUtils.release(message.getPayload()));
				sink.onCancel(() -> cancelled.tryEmitEmpty());
				if (isClosing() || !emit(() -> this.sends.tryEmitNext(records))) {
					sink.error(new IllegalStateException("The WebSocket session is closed"));
				}
			});
		}

		/**
		 * Answer a ping; a peer that pings faster than it reads gets only some answers.
		 */
		void pong(byte[] payload) {
			if (isClosing()) {
				return;
			}
			DataBuffer encoded = WebSocketRecords.encode(new WebSocketMessage(WebSocketMessage.Type.PONG,
					DefaultDataBufferFactory.sharedInstance.wrap(payload)));
			if (!emit(() -> this.pongs.tryEmitNext(encoded))) {
				DataBufferUtils.release(encoded);
			}
		}

		/**
		 * Send the close record after what is being sent, and end the stream's sending
		 * side.
		 * @param status the status, or {@code null} to end without a close record
		 * @return whether this call closed it
		 */
		boolean close(@Nullable CloseStatus status) {
			if (!this.closed.compareAndSet(false, true)) {
				return false;
			}
			// before the sends end: the body's last record is read from it
			this.closeSent.set(status);
			this.closing.tryEmitEmpty();
			emit(this.pongs::tryEmitComplete);
			emit(this.sends::tryEmitComplete);
			return true;
		}

		boolean isClosing() {
			return this.closed.get();
		}

		/**
		 * Emit into a sink that several threads use (the caller's sends, the connection's
		 * pongs, a close from anywhere): an emission that meets another in progress is
		 * tried again, since that one is short, and a lost completion would leave the
		 * stream open.
		 * @return whether the sink took it
		 */
		private static boolean emit(Supplier<Sinks.EmitResult> emission) {
			Sinks.EmitResult result = emission.get();
			while (result == Sinks.EmitResult.FAIL_NON_SERIALIZED) {
				Thread.onSpinWait();
				result = emission.get();
			}
			return result.isSuccess();
		}

		Mono<Void> done() {
			return this.done.asMono();
		}

	}

	/**
	 * The peer's half: decoded records, read one at a time while no message waits for the
	 * reader.
	 */
	private final class Inbound extends BaseSubscriber<ReceivedRecord> {

		final WebSocketRecords.Decoder decoder;

		private final Object lock = new Object();

		private final ArrayDeque<WebSocketMessage> waiting = new ArrayDeque<>(2);

		private final AtomicInteger drainLoop = new AtomicInteger();

		private @Nullable FluxSink<WebSocketMessage> reader;

		private long demand;

		private boolean readerGone;

		private boolean readerCompleted;

		/** Whether the peer's messages have ended: a close, an end, a failure. */
		private boolean ended;

		private boolean requested;

		Inbound(WebSocketRecords.Decoder decoder) {
			this.decoder = decoder;
		}

		void attach(FluxSink<WebSocketMessage> sink) {
			synchronized (this.lock) {
				if (this.reader != null || this.readerGone) {
					sink.error(new IllegalStateException("receive() may be subscribed only once"));
					return;
				}
				this.reader = sink;
			}
			sink.onRequest((n) -> {
				synchronized (this.lock) {
					this.demand = Operators.addCap(this.demand, n);
				}
				drain();
			});
			sink.onCancel(() -> {
				synchronized (this.lock) {
					this.readerGone = true;
					this.waiting.forEach((message) -> DataBufferUtils.release(message.getPayload()));
					this.waiting.clear();
				}
				drain();
			});
			drain();
		}

		boolean ended() {
			synchronized (this.lock) {
				return this.ended;
			}
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
			readMore();
		}

		@Override
		protected void hookOnNext(ReceivedRecord received) {
			synchronized (this.lock) {
				this.requested = false;
			}
			switch (received.type()) {
				case WebSocketRecords.PING -> StreamWebSocketSession.this.outbound.pong(received.payload());
				case WebSocketRecords.CLOSE -> closeReceived(received.closeStatus());
				case WebSocketRecords.INVALID -> {
					CloseStatus status = received.closeStatus();
					if (logger.isDebugEnabled()) {
						logger.debug(getLogPrefix() + "Closing: " + status.getReason());
					}
					// closed before the reader learns of the end, whose handler would
					// close
					// with 1000
					closeWith(status);
					end(status);
				}
				default -> {
					synchronized (this.lock) {
						if (!this.ended && !this.readerGone) {
							this.waiting.add(received.message());
						}
					}
				}
			}
			drain();
		}

		private void closeReceived(CloseStatus status) {
			// answered with the same code, as RFC 6455 asks, before the reader learns of
			// the end
			closeWith(status);
			end(status);
		}

		@Override
		protected void hookOnComplete() {
			// a peer that ends its half without a close record
			end(CloseStatus.NO_CLOSE_FRAME);
			StreamWebSocketSession.this.outbound.close(null);
			StreamWebSocketSession.this.inboundDone.tryEmitEmpty();
		}

		@Override
		protected void hookOnError(Throwable ex) {
			boolean orderly = ex instanceof SwaggerSocketConnectionClosedException closed && closed.isOrderly();
			if (logger.isDebugEnabled()) {
				logger.debug(getLogPrefix() + "Stream ended: " + ex);
			}
			end(orderly ? CloseStatus.GOING_AWAY : CloseStatus.NO_CLOSE_FRAME);
			StreamWebSocketSession.this.outbound.close(null);
			StreamWebSocketSession.this.inboundDone.tryEmitEmpty();
		}

		@Override
		protected void hookOnCancel() {
			StreamWebSocketSession.this.inboundDone.tryEmitEmpty();
		}

		/** Stop reading the peer's half: the stream is reset, the reader ends. */
		void giveUp() {
			end(CloseStatus.NO_CLOSE_FRAME);
			cancel();
		}

		private void end(CloseStatus status) {
			synchronized (this.lock) {
				this.ended = true;
			}
			StreamWebSocketSession.this.closeStatus.tryEmitValue(status);
			drain();
		}

		private void drain() {
			if (this.drainLoop.getAndIncrement() != 0) {
				return;
			}
			int missed = 1;
			do {
				while (true) {
					FluxSink<WebSocketMessage> sink;
					WebSocketMessage message;
					synchronized (this.lock) {
						sink = this.reader;
						if (sink == null || this.demand == 0 || this.waiting.isEmpty()) {
							break;
						}
						message = this.waiting.poll();
						this.demand--;
					}
					sink.next(message);
				}
				FluxSink<WebSocketMessage> complete = null;
				synchronized (this.lock) {
					if (this.ended && this.waiting.isEmpty() && this.reader != null && !this.readerCompleted) {
						this.readerCompleted = true;
						complete = this.reader;
					}
				}
				if (complete != null) {
					complete.complete();
				}
				missed = this.drainLoop.addAndGet(-missed);
			}
			while (missed != 0);
			readMore();
		}

		/** Read the next record while no message waits for the reader. */
		private void readMore() {
			synchronized (this.lock) {
				if (this.requested || !this.waiting.isEmpty() || isDisposed()) {
					return;
				}
				this.requested = true;
			}
			request(1);
		}

	}

}
