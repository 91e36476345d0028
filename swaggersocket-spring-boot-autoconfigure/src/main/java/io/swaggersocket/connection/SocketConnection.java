package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.util.Assert;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * One connection over one WebSocket session, for either role: it owns the connection's
 * state machine (handshake, open, terminated) and wires its parts together. What arrives
 * is decoded by its {@link InboundMessages}, the handshake's state is its
 * {@link HandshakePhase}'s, liveness its {@link ConnectionHeartbeat}'s, the session its
 * {@link SessionTransport}'s, streams are the stream layer's ({@link ConnectionStreams}),
 * and frames go out through its {@link FrameWriter}. Inbound messages arrive serially on
 * the session's I/O thread; timers and callers may act from other threads, so state
 * changes are guarded by this object's monitor.
 */
final class SocketConnection implements SwaggerSocketConnection {

	private static final Log logger = LogFactory.getLog(SocketConnection.class);

	/**
	 * The most DATA queued for the transport, whichever writer carries it: what a peer
	 * that does not read can make this side hold, whatever windows it declared
	 * (docs/PROTOCOL.md section 7, "Memory").
	 */
	static final int MAX_QUEUED_BYTES = Math.max(SessionFrameWriter.MAX_QUEUED_BYTES,
			ChannelFrameWriter.HIGH_WATER_MARK);

	private final WebSocketSession session;

	private final ConnectionRole role;

	/** Dropped once the handshake has completed: an open connection needs none of it. */
	private volatile @Nullable HandshakePhase handshaking;

	private final ConnectionManager manager;

	private final FrameWriter writer;

	private final InboundMessages inbound;

	private final ConnectionHeartbeat heartbeat;

	private final SessionTransport transport;

	/** Set once, under this object's monitor. */
	private volatile @Nullable Termination termination;

	private volatile @Nullable ConnectionInfo info;

	private volatile @Nullable ConnectionStreams streams;

	private final ConnectionCounters counters;

	SocketConnection(WebSocketSession session, ConnectionRole role, Handshake handshake, ConnectionManager manager,
			@Nullable InetSocketAddress remoteAddress, @Nullable Principal principal,
			Consumer<SwaggerSocketConnection> onEstablished, @Nullable ConnectionInfo attempt) {
		this.session = session;
		this.role = role;
		this.handshaking = new HandshakePhase(handshake, role, remoteAddress, principal, onEstablished, attempt);
		this.manager = manager;
		this.counters = new ConnectionCounters(role, manager.observer());
		FrameCodec codec = manager.codec();
		this.transport = new SessionTransport(this, codec);
		this.writer = this.transport.writer();
		this.inbound = new InboundMessages(this, codec);
		this.heartbeat = new ConnectionHeartbeat(this, manager, this.writer);
	}

	@Override
	public ConnectionInfo info() {
		ConnectionInfo info = this.info;
		if (info == null) {
			HandshakePhase handshaking = this.handshaking;
			ConnectionInfo attempt = (handshaking != null) ? handshaking.attempt() : null;
			if (attempt != null) {
				return attempt;
			}
			throw new IllegalStateException("The handshake has not completed");
		}
		return info;
	}

	@Override
	public boolean isOpen() {
		return this.info != null && this.termination == null;
	}

	@Override
	public boolean isGoingAway() {
		ConnectionStreams streams = this.streams;
		return isOpen() && streams != null && streams.multiplexer().goingAway();
	}

	@Override
	public Mono<Void> goingAway() {
		ConnectionStreams streams = this.streams;
		if (streams == null) {
			return isOpen() ? Mono.never() : Mono.empty();
		}
		return streams.multiplexer().goAway.announced();
	}

	@Override
	public boolean peerAcceptsWebSockets() {
		ConnectionStreams streams = this.streams;
		return streams != null && streams.peerAcceptsWebSockets();
	}

	@Override
	public @Nullable Duration lastRoundTrip() {
		return this.heartbeat.lastRoundTrip();
	}

	@Override
	public Mono<StreamMessage> exchange(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return Mono.defer(() -> {
			ConnectionStreams streams = this.streams;
			Termination end = this.termination;
			if (end != null) {
				return Mono.error(new SwaggerSocketConnectionClosedException(
						"Connection " + this.logPrefix().trim() + " is closed: " + end.detail()));
			}
			if (streams == null) {
				return Mono.error(new IllegalStateException("The handshake has not completed"));
			}
			return streams.multiplexer().open(headers, body);
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
		ConnectionStreams streams = this.streams;
		return (streams != null) ? streams.multiplexer().activeStreams() : 0;
	}

	@Override
	public Mono<Void> close() {
		return close(CloseCodes.NORMAL, "Closed by this application", Duration.ZERO);
	}

	@Override
	public Mono<Void> close(Duration drainTimeout) {
		return close(CloseCodes.NORMAL, "Closed by this application", drainTimeout);
	}

	/**
	 * Close gracefully: GOAWAY, then let the streams in flight finish for at most
	 * {@code drainTimeout} (new ones are refused meanwhile), then the given close code;
	 * with a zero timeout, GOAWAY and the close at once.
	 * @param closeCode {@link CloseCodes#NORMAL} or {@link CloseCodes#GOING_AWAY}
	 * @param reason the close reason
	 * @param drainTimeout how long in-flight streams may take
	 * @return completes once the close has been sent or the grace period is over
	 */
	Mono<Void> close(int closeCode, String reason, Duration drainTimeout) {
		return Mono.defer(() -> {
			if (this.termination != null) {
				return Mono.empty();
			}
			ConnectionStreams streams = this.streams;
			Mono<Void> drained = (streams != null) ? streams.drain(reason, drainTimeout, logPrefix()) : Mono.empty();
			return drained.then(Mono.defer(() -> {
				closeLocally(Termination.closed(closeCode, reason, true));
				return this.transport.finished();
			}));
		});
	}

	/**
	 * Run the connection until its session ends.
	 * @return completes when the session has ended; errors with
	 * {@link HandshakeException} if the handshake did not complete
	 */
	Mono<Void> run() {
		Mono<Void> transport = this.transport.run(this.inbound, this::logPrefix);
		this.heartbeat.handshakeStarted();
		this.manager.timers().add(this);
		synchronized (this) {
			HandshakePhase handshaking = this.handshaking;
			if (handshaking != null) {
				handshaking.handshake().start(this::send);
			}
		}
		return transport.onErrorResume((ex) -> {
			logger.debug(logPrefix() + "Transport error", ex);
			terminate(Termination.failed(FailureReason.CONNECTION_LOST, -1, "Transport error: " + ex.getMessage(),
					false));
			return Mono.empty();
		}).then(Mono.defer(this::ended)).doFinally((signal) -> {
			this.manager.timers().remove(this);
			this.transport.sessionEnded();
		});
	}

	private Mono<Void> ended() {
		return this.transport.closeStatus().flatMap((status) -> {
			terminate(status.map((s) -> Termination.byPeer(s.getCode(), nonNull(s.getReason())))
				.orElseGet(() -> Termination.failed(FailureReason.CONNECTION_LOST, -1,
						"Transport ended without a WebSocket close", false)));
			if (this.info != null) {
				return Mono.empty();
			}
			HandshakePhase handshaking = this.handshaking;
			Termination end = this.termination;
			Assert.state(handshaking != null && end != null, "The connection ended just above, never opened");
			ConnectionInfo attempt = handshaking.attempt();
			if (!handshaking.hasFailed() && attempt != null && end.closeCode() > 0) {
				this.manager.handshakeFailed(this, attempt, end.closeCode(), end.detail());
			}
			return Mono.error(handshaking.failure(end));
		});
	}

	/**
	 * Feed a frame that arrived before the connection opened to the handshake; the frame
	 * that completes it opens the connection.
	 * @param frame the frame
	 * @throws HandshakeException if the frame is not the one expected
	 */
	void onHandshakeFrame(Frame frame) {
		Handshake.Result result = null;
		synchronized (this) {
			HandshakePhase handshaking = this.handshaking;
			if (handshaking != null) {
				result = handshaking.handshake().onFrame(frame, this::send);
			}
		}
		if (result != null) {
			established(result);
		}
	}

	/**
	 * Fail the connection: close it with the termination's code.
	 * @param handshakeFailure what {@link #run()} errors with if the handshake had not
	 * completed, or {@code null} to derive it from the termination
	 * @param end the termination
	 */
	void failed(@Nullable HandshakeException handshakeFailure, Termination end) {
		HandshakePhase handshaking = this.handshaking;
		if (handshakeFailure != null && handshaking != null) {
			handshaking.failed(handshakeFailure);
		}
		closeLocally(end);
	}

	/**
	 * Return the connection's info once it is open.
	 * @return the info, {@code null} while handshaking
	 */
	@Nullable ConnectionInfo openInfo() {
		return this.info;
	}

	boolean isTerminated() {
		return this.termination != null;
	}

	WebSocketSession session() {
		return this.session;
	}

	ConnectionHeartbeat heartbeat() {
		return this.heartbeat;
	}

	@Nullable ConnectionStreams streams() {
		return this.streams;
	}

	private void established(Handshake.Result result) {
		HandshakePhase handshaking;
		synchronized (this) {
			handshaking = this.handshaking;
			if (this.termination != null || handshaking == null) {
				return;
			}
			// before the info: the timers take a connection with an info for an open one
			this.heartbeat.established();
			this.info = handshaking.info(result);
			this.streams = ConnectionStreams.open(this, this.manager, result, this.writer);
			this.handshaking = null;
		}
		this.manager.established(this);
		handshaking.onEstablished().accept(this);
	}

	/**
	 * Called by the manager's {@link ConnectionTimers} on every tick: time the handshake
	 * out, or check the heartbeat and ping when a ping is due.
	 * @param now {@link System#nanoTime()} at the tick
	 */
	void tick(long now) {
		this.heartbeat.tick(now);
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

	/**
	 * Start this side's stream ids near their end, for tests of id exhaustion.
	 * @param nextStreamId the next id this side opens, of its parity
	 */
	void nextStreamIdForTesting(long nextStreamId) {
		ConnectionStreams streams = this.streams;
		Assert.state(streams != null, "The handshake has not completed");
		streams.nextStreamIdForTesting(nextStreamId);
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
	 * End the connection from this side, with the closing handshake
	 * ({@link SessionTransport#close}).
	 */
	private void closeLocally(Termination end) {
		if (terminate(end)) {
			this.transport.close(end);
		}
	}

	private boolean terminate(Termination end) {
		synchronized (this) {
			if (this.termination != null) {
				return false;
			}
			this.termination = end;
		}
		this.manager.timers().remove(this);
		ConnectionStreams streams = this.streams;
		if (streams != null) {
			streams.multiplexer()
				.terminate(new SwaggerSocketConnectionClosedException("Connection " + logPrefix().trim()
						+ (end.isFailure() ? " failed: " : " closed: ") + end.detail(), !end.isFailure()));
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
		HandshakePhase handshaking = this.handshaking;
		return (handshaking != null) ? handshaking.logPrefix() : "[handshake] ";
	}

	private static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

}
