package io.swaggersocket.connection;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.FrameCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * One connection's WebSocket session as its transport: runs the session's inbound into
 * the connection and its {@link FrameWriter}'s outbound onto it, fails the connection of
 * a peer that does not read what it asks for, and ends the session, every step bounded by
 * a grace period. After an orderly end the frames already queued go out first, then the
 * close frame, then the peer gets {@link #CLOSE_GRACE} to answer it before the transport
 * is dropped ({@link ClosingHandshake} does the WebSocket part). It also reads the close
 * status the session ended with, and tells a {@link SocketConnection#close} caller when
 * the session is over.
 */
final class SessionTransport {

	private static final Log logger = LogFactory.getLog(SessionTransport.class);

	/**
	 * How long the peer gets to answer our close frame before the transport is dropped.
	 */
	static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

	private static final Duration QUEUE_POLL = Duration.ofMillis(5);

	private final SocketConnection connection;

	private final WebSocketSession session;

	private final FrameWriter writer;

	/**
	 * Set once the outbound queue overflowed: the connection is being failed for it.
	 * Guarded by this object's monitor.
	 */
	private boolean overflowed;

	// each emitted once, by the one party that ends the run: no serializing wrapper
	// needed
	private final Sinks.Empty<Void> finished = Sinks.unsafe().empty();

	private final Sinks.Empty<Void> forceStop = Sinks.unsafe().empty();

	SessionTransport(SocketConnection connection, FrameCodec codec) {
		this.connection = connection;
		this.session = connection.session();
		this.writer = FrameWriter.forSession(this.session, codec, this::overflowed,
				(bytes) -> connection.counters().bytes(false, bytes), connection.role());
	}

	/**
	 * Return the writer of the frames that go out on the session.
	 * @return the writer
	 */
	FrameWriter writer() {
		return this.writer;
	}

	/**
	 * Set up the session's inbound and outbound; subscribing runs both until both end or
	 * the transport is dropped.
	 * @param onMessage takes each inbound message, on the session's I/O thread
	 * @param logPrefix the connection's log prefix, which changes once the handshake
	 * completes
	 * @return completes when the session is over, on another thread than the session's
	 */
	Mono<Void> run(Consumer<WebSocketMessage> onMessage, Supplier<String> logPrefix) {
		Mono<Void> inbound = this.session.receive().doOnNext((message) -> {
			onMessage.accept(message);
			// out of the stream layer's monitor: where the writer may send what the
			// messages handled so far queued
			this.writer.inboundHandled();
		}).then().doFinally((signal) -> this.writer.complete());
		// after receive(), which sets the inbound up
		ClosingHandshake.install(this.session, logPrefix);
		// the first to end, in either direction, ends the session
		return inbound.or(this.writer.run())
			.takeUntilOther(this.forceStop.asMono())
			// A failed write closes the channel inside the send, where the stream layer
			// holds its monitor; failing the streams there, on that stack, could deadlock
			// with a response that waits for the monitor while holding its own write
			// lock.
			.publishOn(Schedulers.parallel());
	}

	/**
	 * The peer keeps asking for answers (pongs, RESETs, credit, responses without bodies)
	 * and does not read them: DATA already waits for the transport, so only failing the
	 * connection bounds what such a peer makes this side hold.
	 */
	private void overflowed() {
		synchronized (this) {
			if (this.connection.isTerminated() || this.overflowed) {
				return;
			}
			this.overflowed = true;
		}
		String detail = "The peer does not read: over " + FrameWriter.MAX_QUEUED_BYTES_OVERFLOW
				+ " bytes queued for it";
		logger.warn(this.connection.logPrefix() + detail);
		// not on this thread: a sender may hold the stream layer's monitor, and failing
		// its streams runs their callers' code
		Schedulers.parallel()
			.schedule(() -> this.connection.failed(null,
					Termination.failed(FailureReason.PROTOCOL_ERROR, CloseCodes.POLICY_VIOLATION, detail, true)));
	}

	/**
	 * End the session from this side: flush what is queued (unless the connection
	 * failed), send the close frame, and wait for the peer's close frame, which ends the
	 * transport (the closing handshake); drop the transport if the peer does not answer
	 * within {@link #CLOSE_GRACE}.
	 * @param end how the connection ended
	 */
	void close(Termination end) {
		// Not by completing the outbound queue: Reactor Netty answers that with a close
		// frame without a status code (1005). The close frame bypasses the queue, so an
		// orderly close first lets the queue empty: a peer must get every frame sent
		// before it.
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
			.subscribe((tick) -> this.forceStop.tryEmitEmpty());
	}

	/**
	 * Return the close status the session ended with, empty when the transport ended
	 * without one; bounded, so that a transport that failed without closing does not keep
	 * the connection alive (once it completes the WebSocket library closes it).
	 * @return the close status
	 */
	Mono<Optional<CloseStatus>> closeStatus() {
		return this.session.closeStatus()
			.timeout(CLOSE_GRACE, Mono.empty())
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.onErrorReturn(Optional.empty());
	}

	/**
	 * The session is over: release whoever waits in {@link #finished()}.
	 */
	void sessionEnded() {
		this.finished.tryEmitEmpty();
	}

	/**
	 * Wait until the session is over, at most {@link #CLOSE_GRACE}.
	 * @return completes when the session is over or the grace period has passed
	 */
	Mono<Void> finished() {
		return this.finished.asMono().timeout(CLOSE_GRACE, Mono.empty());
	}

}
