package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.util.Assert;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * One connection over one WebSocket session, for either role: it owns the session's state
 * machine (handshake, open, terminated) and the heartbeat, decodes what arrives and hands
 * stream frames to the stream layer ({@link Multiplexer}); frames go out through its
 * {@link FrameWriter}. Inbound messages arrive serially on the session's I/O thread;
 * timers and callers may act from other threads, so state changes are guarded by this
 * object's monitor.
 */
final class SocketConnection implements SwaggerSocketConnection {

	private static final Log logger = LogFactory.getLog(SocketConnection.class);

	/**
	 * How long the peer gets to answer our close frame before the transport is dropped.
	 */
	private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

	private static final int MAX_PING_PAYLOAD = 125;

	private static final Duration QUEUE_POLL = Duration.ofMillis(5);

	/**
	 * The most DATA queued for the transport, whichever writer carries it: what a peer
	 * that does not read can make this side hold, whatever windows it declared
	 * (docs/PROTOCOL.md section 7, "Memory").
	 */
	static final int MAX_QUEUED_BYTES = Math.max(SessionFrameWriter.MAX_QUEUED_BYTES,
			ChannelFrameWriter.HIGH_WATER_MARK);

	private final WebSocketSession session;

	private final ConnectionRole role;

	/** Dropped once the handshake has completed: it holds the peer's HELLO. */
	private @Nullable Handshake handshake;

	private final ConnectionManager manager;

	private final FrameCodec codec;

	private final @Nullable InetSocketAddress remoteAddress;

	private final @Nullable Principal principal;

	private final Consumer<SwaggerSocketConnection> onEstablished;

	private final @Nullable ConnectionInfo attempt;

	private final FrameWriter writer;

	// each emitted once, by the one party that ends the run: no serializing wrapper
	// needed
	private final Sinks.Empty<Void> finished = Sinks.unsafe().empty();

	private final Sinks.One<Boolean> forceStop = Sinks.unsafe().one();

	private final AtomicReference<@Nullable Termination> termination = new AtomicReference<>();

	private volatile @Nullable ConnectionInfo info;

	private volatile long lastInbound = System.nanoTime();

	private volatile long lastPingSent;

	private volatile @Nullable Duration lastRoundTrip;

	private volatile @Nullable HandshakeException handshakeFailure;

	private volatile @Nullable Multiplexer multiplexer;

	private volatile boolean peerAcceptsWebSockets;

	private volatile @Nullable StreamFrameReader reader;

	/**
	 * When the handshake times out, then when the next ping is due
	 * ({@link System#nanoTime()}): the manager's {@link ConnectionTimers} compare it on
	 * every tick.
	 */
	private volatile long deadline;

	private final ConnectionCounters counters;

	/** Set once the outbound queue overflowed: the connection is being failed for it. */
	private final AtomicBoolean overflowed = new AtomicBoolean();

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
		this.writer = FrameWriter.forSession(session, this.codec, this::overflowed, this::written);
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
	public boolean isGoingAway() {
		Multiplexer multiplexer = this.multiplexer;
		return isOpen() && multiplexer != null && multiplexer.goingAway();
	}

	@Override
	public Mono<Void> goingAway() {
		Multiplexer multiplexer = this.multiplexer;
		if (multiplexer == null) {
			return isOpen() ? Mono.never() : Mono.empty();
		}
		return multiplexer.goAway.announced();
	}

	@Override
	public boolean peerAcceptsWebSockets() {
		return this.peerAcceptsWebSockets;
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
					? multiplexer.goAway.drain(reason).timeout(drainTimeout, Mono.fromRunnable(() -> {
						logger.warn(logPrefix() + multiplexer.activeStreams() + " streams still open after "
								+ drainTimeout.toMillis() + " ms; cancelling them");
						multiplexer.goAway.cancelAll();
					})) : Mono.fromRunnable(() -> {
						if (multiplexer != null) {
							multiplexer.goAway.goAway(reason);
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
	 * @return completes when the session has ended; errors with
	 * {@link HandshakeException} if the handshake did not complete
	 */
	Mono<Void> run() {
		Mono<Void> inbound = this.session.receive()
			.doOnNext(this::onMessage)
			.then()
			.doFinally((signal) -> this.writer.complete());
		ClosingHandshake.install(this.session, this::logPrefix);
		Mono<Void> send = this.writer.run();
		this.deadline = System.nanoTime() + this.manager.options().handshakeTimeout().toNanos();
		this.manager.timers().add(this);
		synchronized (this) {
			Handshake handshake = this.handshake;
			if (handshake != null) {
				handshake.start(this::send);
			}
		}
		return Mono.zip(inbound, send)
			.then()
			.takeUntilOther(this.forceStop.asMono())
			// A failed write closes the channel inside the send, where the stream layer
			// holds its
			// monitor; failing the streams there, on that stack, could deadlock with a
			// response
			// that waits for the monitor while holding its own write lock.
			.publishOn(Schedulers.parallel())
			.onErrorResume((ex) -> {
				logger.debug(logPrefix() + "Transport error", ex);
				terminate(Termination.failed(FailureReason.CONNECTION_LOST, -1, "Transport error: " + ex.getMessage(),
						false));
				return Mono.empty();
			})
			.then(Mono.defer(this::ended))
			.doFinally((signal) -> {
				this.manager.timers().remove(this);
				this.finished.tryEmitEmpty();
			});
	}

	private Mono<Void> ended() {
		return this.session.closeStatus()
			// bounded: a transport that failed without closing must not keep the
			// connection (and
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
				Assert.state(end != null, "The connection ended just above");
				if (failure == null) {
					failure = new HandshakeException(end.closeCode(),
							"Connection ended during the handshake: " + end.detail());
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
				case BINARY -> onBinary(message.getPayload());
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

	private void onBinary(DataBuffer payload) {
		this.counters.bytes(true, payload.readableByteCount());
		Frame frame = this.codec.decode(InboundFrames.view(payload));
		StreamFrameReader reader = this.reader;
		if (frame instanceof Frame.Data data && reader != null && this.info != null) {
			// a slice of the received message, not a copy: the body's subscriber releases
			// it
			reader.onData(data.streamId(), data.endStream(),
					InboundFrames.payload(payload, data.data(), this.session.bufferFactory()));
			return;
		}
		onFrame(frame);
	}

	private void onFrame(Frame frame) {
		if (logger.isTraceEnabled()) {
			logger.trace(logPrefix() + "Received " + frame);
		}
		if (this.info == null) {
			Handshake.Result result = null;
			synchronized (this) {
				Handshake handshake = this.handshake;
				if (handshake != null) {
					result = handshake.onFrame(frame, this::send);
				}
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
		StreamFrameReader reader = this.reader;
		if (reader != null) {
			reader.onFrame(frame);
		}
	}

	private void onProtocolError(ProtocolException ex) {
		if (ex.isStreamError() && this.info != null) {
			logger.warn(logPrefix() + "Resetting stream " + ex.streamId() + ": " + ex.getMessage());
			StreamFrameReader reader = this.reader;
			if (reader != null) {
				reader.resetMalformed(ex.streamId(), ex.errorCode());
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
		this.writer.pong(payload);
		ConnectionInfo info = this.info;
		// the peer's bandwidth-delay estimate is no heartbeat
		if (info != null && !BdpEstimator.isEstimatorPayload(payload)) {
			this.manager.heartbeatHandler().onPing(info, payload);
		}
	}

	private void onPong(byte[] payload) {
		Multiplexer multiplexer = this.multiplexer;
		if (multiplexer != null && BdpEstimator.isEstimatorPayload(payload)) {
			multiplexer.estimatorPong(payload);
			return;
		}
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
			// before the info: the timers take a connection with an info for an open one
			this.deadline = System.nanoTime() + this.manager.options().heartbeatInterval().toNanos();
			this.info = new ConnectionInfo(result.connectionId(), this.role, result.metadata(), this.remoteAddress,
					this.principal, Instant.now());
			Multiplexer multiplexer = new Multiplexer(
					new StreamContext(this, this.role, this.counters, this.manager.observer(), this::logPrefix, logger,
							this::streamIdsExhausted),
					this.manager.options(), result.peerSettings(), this.manager.streamHandler(), this.writer);
			this.multiplexer = multiplexer;
			this.peerAcceptsWebSockets = result.peerSettings().enableConnectProtocol();
			this.reader = new StreamFrameReader(multiplexer);
			this.handshake = null;
		}
		this.manager.established(this);
		this.onEstablished.accept(this);
	}

	/**
	 * Called by the manager's {@link ConnectionTimers} on every tick: time the handshake
	 * out, or check the heartbeat and ping when a ping is due.
	 * @param now {@link System#nanoTime()} at the tick
	 */
	void tick(long now) {
		if (this.termination.get() != null) {
			return;
		}
		if (this.info == null) {
			if (now - this.deadline >= 0) {
				handshakeTimedOut();
			}
			return;
		}
		long silence = now - this.lastInbound;
		Duration timeout = this.manager.options().heartbeatTimeout();
		if (silence > timeout.toNanos()) {
			String detail = "Nothing received from the peer for " + Duration.ofNanos(silence).toMillis()
					+ " ms (heartbeat timeout " + timeout.toMillis() + " ms)";
			logger.warn(logPrefix() + detail);
			closeLocally(
					Termination.failed(FailureReason.HEARTBEAT_TIMEOUT, CloseCodes.HEARTBEAT_TIMEOUT, detail, true));
			return;
		}
		if (now - this.deadline >= 0) {
			// first: a ping handler that throws is tried again an interval later, not
			// at every tick
			this.deadline = now + this.manager.options().heartbeatInterval().toNanos();
			ping();
		}
	}

	private void ping() {
		byte[] payload = this.manager.heartbeatHandler().pingPayload(info());
		if (payload.length > MAX_PING_PAYLOAD) {
			logger
				.warn(logPrefix() + "Ping payload of " + payload.length + " bytes exceeds 125; sending an empty ping");
			payload = new byte[0];
		}
		byte[] ping = payload;
		this.lastPingSent = System.nanoTime();
		this.writer.ping(ping);
	}

	private void handshakeTimedOut() {
		if (this.info != null || this.termination.get() != null) {
			return;
		}
		String detail = "Handshake not completed within " + this.manager.options().handshakeTimeout().toMillis()
				+ " ms";
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
		this.writer.write(frame);
	}

	private void written(int bytes) {
		this.counters.bytes(false, bytes);
	}

	/**
	 * The peer keeps asking for answers (pongs, RESETs, credit, responses without bodies)
	 * and does not read them: DATA already waits for the transport, so only failing the
	 * connection bounds what such a peer makes this side hold.
	 */
	private void overflowed() {
		if (this.termination.get() != null || !this.overflowed.compareAndSet(false, true)) {
			return;
		}
		String detail = "The peer does not read: over " + FrameWriter.MAX_QUEUED_BYTES_OVERFLOW
				+ " bytes queued for it";
		logger.warn(logPrefix() + detail);
		// not on this thread: a sender may hold the stream layer's monitor, and failing
		// its streams runs their callers' code
		Schedulers.parallel()
			.schedule(() -> closeLocally(
					Termination.failed(FailureReason.PROTOCOL_ERROR, CloseCodes.POLICY_VIOLATION, detail, true)));
	}

	/**
	 * This side has opened its last stream id: shut the connection down as for a graceful
	 * close, so that the client dials a fresh one (docs/PROTOCOL.md 6.1).
	 */
	private void streamIdsExhausted() {
		logger.info(logPrefix() + "Stream ids used up; closing the connection once its streams are done");
		Schedulers.parallel()
			.schedule(() -> close(CloseCodes.GOING_AWAY, "Stream ids used up", this.manager.options().drainTimeout())
				.subscribe());
	}

	/**
	 * Start this side's stream ids near their end, for tests of id exhaustion.
	 * @param nextStreamId the next id this side opens, of its parity
	 */
	void nextStreamIdForTesting(long nextStreamId) {
		Multiplexer multiplexer = this.multiplexer;
		Assert.state(multiplexer != null, "The handshake has not completed");
		synchronized (multiplexer) {
			multiplexer.localEndpoint.nextStreamIdForTesting(nextStreamId);
		}
	}

	/**
	 * Return the bytes queued for the transport and not yet written, as far as this side
	 * can tell.
	 * @return the queued bytes
	 */
	long queuedBytes() {
		return this.writer.queuedBytes();
	}

	/**
	 * End the connection from this side: flush what is queued, send the close frame, and
	 * wait for the peer's close frame, which ends the transport (the closing handshake);
	 * drop the transport if the peer does not answer within {@link #CLOSE_GRACE}.
	 */
	private void closeLocally(Termination end) {
		if (!terminate(end)) {
			return;
		}
		// Not by completing the outbound queue: Reactor Netty answers that with a close
		// frame
		// without a status code (1005). The close frame bypasses the queue, so an orderly
		// close
		// first lets the queue empty: a peer must get every frame sent before it.
		CloseStatus status = new CloseStatus(end.closeCode(), CloseCodes.truncateReason(end.detail()));
		Mono<Void> queued = end.isFailure() ? Mono.empty()
				: Flux.interval(QUEUE_POLL)
					.filter((tick) -> this.writer.isFlushed())
					.next()
					.timeout(CLOSE_GRACE, Mono.just(0L))
					.then();
		// a peer that does not read never lets the close frame out: the grace period
		// bounds that too
		queued.then(ClosingHandshake.start(this.session, status).timeout(CLOSE_GRACE, Mono.empty()))
			.onErrorResume((ex) -> Mono.empty())
			.then(Mono.delay(CLOSE_GRACE))
			.subscribe((tick) -> this.forceStop.tryEmitValue(true));
	}

	private boolean terminate(Termination end) {
		synchronized (this) {
			if (!this.termination.compareAndSet(null, end)) {
				return false;
			}
		}
		this.manager.timers().remove(this);
		Multiplexer multiplexer = this.multiplexer;
		if (multiplexer != null) {
			multiplexer.terminate(new SwaggerSocketConnectionClosedException(
					"Connection " + logPrefix().trim() + (end.isFailure() ? " failed: " : " closed: ") + end.detail(),
					!end.isFailure()));
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
		return "[" + this.role.name().toLowerCase(Locale.ROOT) + " handshake"
				+ ((this.remoteAddress != null) ? " " + this.remoteAddress : "") + "] ";
	}

	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		return bytes;
	}

	private static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

}
