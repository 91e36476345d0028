package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.protocol.ProtocolException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * One connection over one WebSocket session, for either role: it owns the session's state
 * machine (handshake, open, terminated), the heartbeat and the single outbound message queue.
 * Inbound messages arrive serially on the session's I/O thread; timers and callers may act
 * from other threads, so state changes are guarded by this object's monitor.
 */
final class SocketConnection implements SwaggerSocketConnection {

	private static final Log logger = LogFactory.getLog(SocketConnection.class);

	/** How long the peer gets to answer our close frame before the transport is dropped. */
	private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

	private static final int MAX_PING_PAYLOAD = 125;

	private static final Duration QUEUE_POLL = Duration.ofMillis(5);

	private final WebSocketSession session;

	private final ConnectionRole role;

	private final Handshake handshake;

	private final ConnectionManager manager;

	private final FrameCodec codec;

	private final @Nullable InetSocketAddress remoteAddress;

	private final @Nullable Principal principal;

	private final Consumer<SwaggerSocketConnection> onEstablished;

	private final @Nullable ConnectionInfo attempt;

	/** Bounded by flow control and small control frames; starts small to keep idle connections light. */
	private final Sinks.Many<WebSocketMessage> outbound = Sinks.many().unicast()
		.onBackpressureBuffer(Queues.<WebSocketMessage>unbounded(16).get());

	private final Sinks.Empty<Void> finished = Sinks.empty();

	private final Sinks.One<Boolean> forceStop = Sinks.one();

	private final Disposable.Composite timers = Disposables.composite();

	private final AtomicReference<@Nullable Termination> termination = new AtomicReference<>();

	private volatile @Nullable ConnectionInfo info;

	private volatile long lastInbound = System.nanoTime();

	private volatile long lastPingSent;

	private volatile @Nullable Duration lastRoundTrip;

	private volatile @Nullable HandshakeException handshakeFailure;

	private volatile @Nullable Multiplexer multiplexer;

	private volatile @Nullable Disposable handshakeTimer;

	private final ConnectionCounters counters;

	SocketConnection(WebSocketSession session, ConnectionRole role, Handshake handshake, ConnectionManager manager,
			@Nullable InetSocketAddress remoteAddress, @Nullable Principal principal,
			Consumer<SwaggerSocketConnection> onEstablished, @Nullable ConnectionInfo attempt) {
		this.session = session;
		this.attempt = attempt;
		this.role = role;
		this.handshake = handshake;
		this.manager = manager;
		this.codec = new FrameCodec(manager.options().settings().maxFrameSize(),
				manager.options().settings().maxHeaderBlockSize());
		this.remoteAddress = remoteAddress;
		this.principal = principal;
		this.onEstablished = onEstablished;
		this.counters = new ConnectionCounters(role, manager.observer());
	}

	@Override
	public ConnectionInfo info() {
		ConnectionInfo info = this.info;
		if (info == null) {
			if (this.attempt != null) {
				return this.attempt;
			}
			throw new IllegalStateException("The handshake has not completed");
		}
		return info;
	}

	@Override
	public boolean isOpen() {
		return this.info != null && this.termination.get() == null;
	}

	@Override
	public @Nullable Duration lastRoundTrip() {
		return this.lastRoundTrip;
	}

	@Override
	public Mono<StreamMessage> exchange(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return Mono.defer(() -> {
			Multiplexer multiplexer = this.multiplexer;
			Termination end = this.termination.get();
			if (end != null) {
				return Mono.error(new SwaggerSocketConnectionClosedException(
						"Connection " + this.logPrefix().trim() + " is closed: " + end.detail()));
			}
			if (multiplexer == null) {
				return Mono.error(new IllegalStateException("The handshake has not completed"));
			}
			return multiplexer.open(headers, body);
		});
	}

	@Override
	public ConnectionStatistics statistics() {
		return this.counters.snapshot();
	}

	ConnectionCounters counters() {
		return this.counters;
	}

	SwaggerSocketObserver observer() {
		return this.manager.observer();
	}

	ConnectionRole role() {
		return this.role;
	}

	@Override
	public int activeStreams() {
		Multiplexer multiplexer = this.multiplexer;
		return (multiplexer != null) ? multiplexer.activeStreams() : 0;
	}

	@Override
	public Mono<Void> close() {
		return close(CloseCodes.NORMAL, "Closed by this application");
	}

	@Override
	public Mono<Void> close(Duration drainTimeout) {
		return close(CloseCodes.NORMAL, "Closed by this application", drainTimeout);
	}

	/**
	 * Close in an orderly way at once: GOAWAY, then the given close code.
	 * @param closeCode {@link CloseCodes#NORMAL} or {@link CloseCodes#GOING_AWAY}
	 * @param reason the close reason
	 * @return completes once the close has been sent or the grace period is over
	 */
	Mono<Void> close(int closeCode, String reason) {
		return close(closeCode, reason, Duration.ZERO);
	}

	/**
	 * Close gracefully: GOAWAY, then let the streams in flight finish for at most
	 * {@code drainTimeout} (new ones are refused meanwhile), then the given close code.
	 * @param closeCode {@link CloseCodes#NORMAL} or {@link CloseCodes#GOING_AWAY}
	 * @param reason the close reason
	 * @param drainTimeout how long in-flight streams may take
	 * @return completes once the close has been sent or the grace period is over
	 */
	Mono<Void> close(int closeCode, String reason, Duration drainTimeout) {
		return Mono.defer(() -> {
			if (this.termination.get() != null) {
				return Mono.empty();
			}
			Multiplexer multiplexer = this.multiplexer;
			Mono<Void> drained = (multiplexer != null && !drainTimeout.isZero())
					? multiplexer.drain(reason).timeout(drainTimeout, Mono.fromRunnable(() -> {
						logger.warn(logPrefix() + multiplexer.activeStreams() + " streams still open after "
								+ drainTimeout.toMillis() + " ms; cancelling them");
						multiplexer.cancelAll();
					}))
					: Mono.fromRunnable(() -> {
						if (multiplexer != null) {
							multiplexer.goAway(reason);
						}
					});
			return drained.then(Mono.defer(() -> {
				closeLocally(Termination.closed(closeCode, reason, true));
				return this.finished.asMono().timeout(CLOSE_GRACE, Mono.empty());
			}));
		});
	}

	/**
	 * Run the connection until its session ends.
	 * @return completes when the session has ended; errors with {@link HandshakeException} if
	 * the handshake did not complete
	 */
	Mono<Void> run() {
		Mono<Void> inbound = this.session.receive().doOnNext(this::onMessage).then()
			.doFinally((signal) -> this.outbound.tryEmitComplete());
		Mono<Void> send = this.session.send(this.outbound.asFlux());
		Disposable handshakeTimer = Mono.delay(this.manager.options().handshakeTimeout())
			.subscribe((tick) -> handshakeTimedOut());
		this.handshakeTimer = handshakeTimer;
		this.timers.add(handshakeTimer);
		synchronized (this) {
			this.handshake.start(this::send);
		}
		return Mono.zip(inbound, send)
			.then()
			.takeUntilOther(this.forceStop.asMono())
			.onErrorResume((ex) -> {
				logger.debug(logPrefix() + "Transport error", ex);
				terminate(Termination.failed(FailureReason.CONNECTION_LOST, -1,
						"Transport error: " + ex.getMessage(), false));
				return Mono.empty();
			})
			.then(Mono.defer(this::ended))
			.doFinally((signal) -> {
				this.timers.dispose();
				this.finished.tryEmitEmpty();
			});
	}

	private Mono<Void> ended() {
		return this.session.closeStatus()
			// bounded: a transport that failed without closing must not keep the connection (and
			// itself) alive; once this completes the WebSocket library closes it
			.timeout(CLOSE_GRACE, Mono.empty())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.onErrorReturn(Optional.empty())
			.flatMap((status) -> {
				terminate(status.map((s) -> Termination.byPeer(s.getCode(), nonNull(s.getReason())))
					.orElseGet(() -> Termination.failed(FailureReason.CONNECTION_LOST, -1,
							"Transport ended without a WebSocket close", false)));
				if (this.info != null) {
					return Mono.empty();
				}
				HandshakeException failure = this.handshakeFailure;
				Termination end = this.termination.get();
				if (failure == null) {
					failure = new HandshakeException(end.closeCode(), "Connection ended during the handshake: " + end.detail());
					if (this.attempt != null && end.closeCode() > 0) {
						this.manager.handshakeFailed(this, this.attempt, end.closeCode(), end.detail());
					}
				}
				return Mono.error(failure);
			});
	}

	private void onMessage(WebSocketMessage message) {
		if (this.termination.get() != null) {
			return;
		}
		this.lastInbound = System.nanoTime();
		try {
			switch (message.getType()) {
				case BINARY -> {
					byte[] bytes = bytes(message.getPayload());
					this.counters.bytes(true, bytes.length);
					onFrame(this.codec.decode(ByteBuffer.wrap(bytes)));
				}
				case TEXT -> throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.UNSUPPORTED_DATA,
						"Text messages are not part of the protocol");
				case PING -> onPing(bytes(message.getPayload()));
				case PONG -> onPong(bytes(message.getPayload()));
			}
		}
		catch (HandshakeException ex) {
			logger.warn(logPrefix() + "Handshake failed: " + ex.getMessage());
			this.handshakeFailure = ex;
			closeLocally(Termination.failed(FailureReason.PROTOCOL_ERROR, ex.getCloseCode(), ex.getMessage(), true));
		}
		catch (ProtocolException ex) {
			onProtocolError(ex);
		}
		catch (RuntimeException ex) {
			logger.error(logPrefix() + "Failed to handle an inbound message", ex);
			closeLocally(Termination.failed(FailureReason.INTERNAL_ERROR, CloseCodes.INTERNAL_ERROR,
					"Internal error: " + ex, true));
		}
	}

	private void onFrame(Frame frame) {
		if (logger.isTraceEnabled()) {
			logger.trace(logPrefix() + "Received " + frame);
		}
		if (this.info == null) {
			Handshake.Result result;
			synchronized (this) {
				result = this.handshake.onFrame(frame, this::send);
			}
			if (result != null) {
				established(result);
			}
			return;
		}
		if (frame instanceof Frame.Hello || frame instanceof Frame.Welcome || frame instanceof Frame.Ready) {
			throw new HandshakeException(CloseCodes.HANDSHAKE_VIOLATION,
					"Received " + frame.type() + " after the handshake completed");
		}
		onStreamFrame(frame);
	}

	private void onStreamFrame(Frame frame) {
		Multiplexer multiplexer = this.multiplexer;
		if (multiplexer != null) {
			multiplexer.onFrame(frame);
		}
	}

	private void onProtocolError(ProtocolException ex) {
		if (ex.isStreamError() && this.info != null) {
			logger.warn(logPrefix() + "Resetting stream " + ex.streamId() + ": " + ex.getMessage());
			Multiplexer multiplexer = this.multiplexer;
			if (multiplexer != null) {
				multiplexer.resetMalformed(ex.streamId(), ex.errorCode());
			}
			return;
		}
		logger.warn(logPrefix() + "Protocol error, closing with " + ex.closeCode() + ": " + ex.getMessage());
		if (this.info == null) {
			this.handshakeFailure = new HandshakeException(ex.closeCode(), ex.getMessage());
		}
		closeLocally(Termination.failed(FailureReason.PROTOCOL_ERROR, ex.closeCode(), ex.getMessage(), true));
	}

	private void onPing(byte[] payload) {
		this.outboundEmit(this.session.pongMessage((factory) -> factory.wrap(payload)));
		ConnectionInfo info = this.info;
		if (info != null) {
			this.manager.heartbeatHandler().onPing(info, payload);
		}
	}

	private void onPong(byte[] payload) {
		long sent = this.lastPingSent;
		ConnectionInfo info = this.info;
		if (sent == 0 || info == null) {
			return;
		}
		Duration roundTrip = Duration.ofNanos(System.nanoTime() - sent);
		this.lastRoundTrip = roundTrip;
		this.manager.observer().heartbeatRoundTrip(this.role, roundTrip);
		this.manager.heartbeatHandler().onPong(info, payload, roundTrip);
	}

	private void established(Handshake.Result result) {
		synchronized (this) {
			if (this.termination.get() != null) {
				return;
			}
			this.info = new ConnectionInfo(result.connectionId(), this.role, result.metadata(), this.remoteAddress,
					this.principal, Instant.now());
			this.multiplexer = new Multiplexer(this, this.role, this.manager.options().settings(),
					result.peerSettings(), this.manager.streamHandler());
		}
		// an open connection has no use for its handshake timer: drop it rather than keep it for 10 s
		Disposable handshakeTimer = this.handshakeTimer;
		if (handshakeTimer != null) {
			this.timers.remove(handshakeTimer);
			handshakeTimer.dispose();
			this.handshakeTimer = null;
		}
		Duration interval = this.manager.options().heartbeatInterval();
		this.timers.add(Flux.interval(interval, interval).subscribe((tick) -> heartbeat(),
				(ex) -> logger.error(logPrefix() + "Heartbeat stopped", ex)));
		this.manager.established(this);
		this.onEstablished.accept(this);
	}

	private void heartbeat() {
		if (this.termination.get() != null) {
			return;
		}
		long silence = System.nanoTime() - this.lastInbound;
		Duration timeout = this.manager.options().heartbeatTimeout();
		if (silence > timeout.toNanos()) {
			String detail = "Nothing received from the peer for " + Duration.ofNanos(silence).toMillis()
					+ " ms (heartbeat timeout " + timeout.toMillis() + " ms)";
			logger.warn(logPrefix() + detail);
			closeLocally(Termination.failed(FailureReason.HEARTBEAT_TIMEOUT, CloseCodes.HEARTBEAT_TIMEOUT, detail, true));
			return;
		}
		byte[] payload = this.manager.heartbeatHandler().pingPayload(info());
		if (payload.length > MAX_PING_PAYLOAD) {
			logger.warn(logPrefix() + "Ping payload of " + payload.length + " bytes exceeds 125; sending an empty ping");
			payload = new byte[0];
		}
		byte[] ping = payload;
		this.lastPingSent = System.nanoTime();
		outboundEmit(this.session.pingMessage((factory) -> factory.wrap(ping)));
	}

	private void handshakeTimedOut() {
		if (this.info != null || this.termination.get() != null) {
			return;
		}
		String detail = "Handshake not completed within " + this.manager.options().handshakeTimeout().toMillis() + " ms";
		logger.warn(logPrefix() + detail);
		this.handshakeFailure = new HandshakeException(CloseCodes.HANDSHAKE_TIMEOUT, detail);
		closeLocally(Termination.failed(FailureReason.PROTOCOL_ERROR, CloseCodes.HANDSHAKE_TIMEOUT, detail, true));
	}

	/**
	 * Send a frame to the peer; dropped once the connection has terminated.
	 * @param frame the frame
	 */
	void send(Frame frame) {
		if (logger.isTraceEnabled()) {
			logger.trace(logPrefix() + "Sending " + frame);
		}
		ByteBuffer encoded = this.codec.encode(frame);
		this.counters.bytes(false, encoded.remaining());
		outboundEmit(this.session.binaryMessage((factory) -> factory.wrap(encoded)));
	}

	private void outboundEmit(WebSocketMessage message) {
		synchronized (this.outbound) {
			this.outbound.tryEmitNext(message);
		}
	}

	/**
	 * End the connection from this side: flush what is queued, send the close frame, and drop
	 * the transport if the peer does not complete the close in time.
	 */
	private void closeLocally(Termination end) {
		if (!terminate(end)) {
			return;
		}
		// Not by completing the outbound queue: Reactor Netty answers that with a close frame
		// without a status code (1005). The close frame bypasses the queue, so an orderly close
		// first lets the queue empty: a peer must get every frame sent before it.
		CloseStatus status = new CloseStatus(end.closeCode(), truncate(end.detail()));
		Mono<Void> queued = end.isFailure() ? Mono.empty() : Flux.interval(QUEUE_POLL)
			.filter((tick) -> queuedMessages() == 0)
			.next()
			.timeout(CLOSE_GRACE, Mono.just(0L))
			.then();
		queued.then(this.session.close(status))
			.onErrorResume((ex) -> Mono.empty())
			.then(Mono.delay(CLOSE_GRACE))
			.subscribe((tick) -> this.forceStop.tryEmitValue(true));
	}

	private int queuedMessages() {
		Integer buffered = Scannable.from(this.outbound).scan(Scannable.Attr.BUFFERED);
		return (buffered != null) ? buffered : 0;
	}

	private boolean terminate(Termination end) {
		synchronized (this) {
			if (!this.termination.compareAndSet(null, end)) {
				return false;
			}
		}
		this.timers.dispose();
		Multiplexer multiplexer = this.multiplexer;
		if (multiplexer != null) {
			multiplexer.terminate(new SwaggerSocketConnectionClosedException(
					"Connection " + logPrefix().trim() + (end.isFailure() ? " failed: " : " closed: ") + end.detail()));
		}
		if (this.info != null) {
			this.manager.terminated(this, end);
		}
		return true;
	}

	String logPrefix() {
		ConnectionInfo info = this.info;
		if (info != null) {
			return "[" + info.id() + "] ";
		}
		return "[" + this.role.name().toLowerCase() + " handshake" + (this.remoteAddress != null ? " " + this.remoteAddress : "") + "] ";
	}

	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		return bytes;
	}

	private static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

	/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
	private static String truncate(String reason) {
		return (reason.length() > 120) ? reason.substring(0, 120) : reason;
	}

}
