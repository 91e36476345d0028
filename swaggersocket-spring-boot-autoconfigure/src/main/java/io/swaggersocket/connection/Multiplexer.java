package io.swaggersocket.connection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The streams of one open connection (docs/PROTOCOL.md, "Streams", "Flow control" and
 * "GOAWAY"), in the shape of Netty's HTTP/2 codec: an endpoint per side
 * ({@link StreamEndpoint}) for ids and limits, a {@link StreamState} per {@link Stream},
 * the {@link InboundFlowController} for the credit this side grants, the
 * {@link OutboundFlowController} for the credit it is granted and for which stream sends
 * next, and a {@link FrameWriter} as its only way out. Frames from the peer arrive
 * through {@link StreamFrameReader}.
 *
 * <p>
 * All stream state is guarded by this object's monitor, held briefly and never while
 * waiting; callers, handlers and bodies are signalled outside it where they may run
 * application code.
 */
final class Multiplexer {

	private final StreamContext context;

	private final ConnectionSettings peer;

	final FrameWriter writer;

	final StreamEndpoint localEndpoint;

	final StreamEndpoint remoteEndpoint;

	final Map<Integer, Stream> streams = new HashMap<>();

	/**
	 * Streams this side opened that closed before their caller subscribed to the response
	 * body: a caller cancelled as the response arrived may have dropped it, and its body
	 * would keep its buffers; the connection's end releases them.
	 */
	private final Set<Stream> unclaimed = new HashSet<>(0);

	final ArrayDeque<Stream> pendingOpens = new ArrayDeque<>(0);

	private final InboundFlowController inboundFlow;

	final RemoteStreams remoteStreams;

	private final OutboundFlowController outboundFlow;

	final StreamOutcomes outcomes;

	final GoAway goAway = new GoAway(this);

	private boolean exhaustionReported;

	@Nullable RuntimeException terminated;

	Multiplexer(StreamContext context, ConnectionOptions options, ConnectionSettings peer,
			SwaggerSocketStreamHandler handler, FrameWriter writer) {
		ConnectionSettings local = options.settings();
		this.context = context;
		this.peer = peer;
		this.writer = writer;
		boolean client = context.role() == ConnectionRole.CLIENT;
		this.localEndpoint = new StreamEndpoint(client, peer.maxConcurrentStreams());
		this.remoteEndpoint = new StreamEndpoint(!client, local.maxConcurrentStreams());
		this.inboundFlow = new InboundFlowController(local, options.maxWindow(), writer, this.streams);
		this.outboundFlow = new OutboundFlowController(this, writer, peer);
		this.outcomes = new StreamOutcomes(context.observer(), context.role());
		writer.dataSource(this.outboundFlow);
		Executor executor = (options.spreadHandling() != SpreadHandling.OFF) ? writer.dispatcher() : null;
		this.remoteStreams = new RemoteStreams(this, handler,
				(executor != null) ? Schedulers.fromExecutor(executor) : null,
				(options.spreadHandling() == SpreadHandling.WHEN_BUSY) ? SpreadHandling.INLINE_LIMIT : 0);
	}

	// ---- opening streams (calling the peer)

	Mono<StreamMessage> open(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return Mono.create((sink) -> {
			RuntimeException tooLarge = checkHeaderBlock(headers);
			if (tooLarge != null) {
				// refused before it takes an id: the peer never hears of it and the
				// connection carries on
				sink.error(tooLarge);
				return;
			}
			Stream stream = newStream(true);
			Integer attempt = sink.contextView().getOrDefault(SwaggerSocketObserver.ATTEMPT_CONTEXT_KEY, 1);
			stream.attempt = (attempt != null) ? attempt : 1;
			stream.response = sink;
			stream.outbound.prepare(headers, body);
			StreamLocalEnd end = null;
			synchronized (this) {
				RuntimeException refusal = refusal();
				if (refusal != null) {
					sink.error(refusal);
					return;
				}
				if (!this.localEndpoint.canOpenStream() || !this.pendingOpens.isEmpty()) {
					this.pendingOpens.add(stream);
				}
				else {
					end = start(stream, false);
				}
			}
			if (end != null) {
				afterLocalEnd(end);
			}
			sink.onCancel(() -> cancelledByCaller(stream));
		});
	}

	Stream newStream(boolean local) {
		return new Stream(this, local, this.peer.initialStreamWindow());
	}

	/**
	 * A header block the peer would not accept: larger than its
	 * {@code maxHeaderBlockSize}, or than its {@code maxFrameSize}, which would make it
	 * close the whole connection.
	 */
	@Nullable SwaggerSocketHeadersTooLargeException checkHeaderBlock(List<Header> headers) {
		int limit = Math.min(this.peer.maxHeaderBlockSize(), this.peer.maxFrameSize());
		long size = FrameCodec.headerBlockSize(headers);
		return (size > limit) ? new SwaggerSocketHeadersTooLargeException(size, limit) : null;
	}

	private @Nullable RuntimeException refusal() {
		if (this.terminated != null) {
			return this.terminated;
		}
		if (this.goAway.goingAway()) {
			return new SwaggerSocketStreamRefusedException("The connection is going away; no new streams");
		}
		if (this.localEndpoint.exhausted()) {
			return new SwaggerSocketStreamRefusedException(
					"The connection has used up its stream ids and is closing; no new streams");
		}
		return null;
	}

	/** Called with the monitor held. */
	private @Nullable StreamLocalEnd start(Stream stream, boolean reserved) {
		stream.id = this.localEndpoint.openStream(reserved);
		stream.started(StreamOutcomes.method(stream.outbound.headers));
		this.context.counters().requestOpened(false);
		this.streams.put(stream.id, stream);
		if (this.localEndpoint.exhausted() && !this.exhaustionReported) {
			this.exhaustionReported = true;
			this.context.streamIdsExhausted().run();
		}
		StreamLocalEnd end = stream.outbound.start();
		this.inboundFlow.opened(stream);
		return end;
	}

	private void cancelledByCaller(Stream stream) {
		boolean responded;
		synchronized (this) {
			if (this.pendingOpens.remove(stream)) {
				return;
			}
			responded = stream.responded;
		}
		if (responded) {
			// the response raced the cancel and may be lost with it: so is its body
			stream.inbound.abandon();
			return;
		}
		reset(stream, ErrorCode.CANCEL,
				new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Cancelled by the caller"), true);
	}

	/**
	 * Start a waiting stream in the slot a closed one handed it; if its caller has gone
	 * meanwhile, the slot goes to the next waiting stream, or back.
	 */
	private void startPending(Stream next) {
		StreamLocalEnd end = null;
		synchronized (this) {
			RuntimeException refusal = refusal();
			Stream stream = next;
			while (stream != null && (stream.isClosed() || refusal != null)) {
				MonoSink<StreamMessage> response = stream.response;
				if (refusal != null && response != null && !stream.isClosed()) {
					stream.state = StreamState.CLOSED;
					response.error(refusal);
				}
				stream = this.pendingOpens.poll();
			}
			if (stream == null) {
				this.localEndpoint.closed();
				return;
			}
			end = start(stream, true);
		}
		if (end != null) {
			afterLocalEnd(end);
		}
	}

	// ---- sending

	/** Called with the monitor held. */
	void writeHeaders(Stream stream, List<Header> headers, boolean endStream) {
		this.writer.write(new Frame.Headers(stream.id, endStream, headers));
	}

	/** Called with the monitor held. */
	void sendReset(int id, ErrorCode code) {
		this.writer.write(new Frame.Reset(id, code));
		this.context.counters().streamReset(code, true);
	}

	OutboundFlowController outboundFlow() {
		return this.outboundFlow;
	}

	InboundFlowController inboundFlow() {
		return this.inboundFlow;
	}

	/**
	 * Release received body bytes nobody will read and return their credit at once
	 * (docs/PROTOCOL.md section 7).
	 * @param data the bytes
	 */
	void discard(DataBuffer data) {
		int length = data.readableByteCount();
		DataBufferUtils.release(data);
		consumed(null, length);
	}

	/** Body bytes handed to a subscriber, or discarded ({@code stream} null). */
	synchronized void consumed(@Nullable Stream stream, int length) {
		if (this.terminated == null) {
			this.inboundFlow.consumed(stream, length);
		}
	}

	// ---- ending streams

	/**
	 * Called with the monitor held once this side's last frame of a stream is queued.
	 * @param stream the stream
	 * @return what to do once the monitor is released
	 */
	StreamLocalEnd localEnded(Stream stream) {
		stream.state = stream.state.localEnded();
		if (!stream.isClosed()) {
			return new StreamLocalEnd(stream, false, null);
		}
		Stream next = closed(stream);
		this.goAway.signalIfDrained(next != null);
		return new StreamLocalEnd(stream, true, next);
	}

	void afterLocalEnd(StreamLocalEnd end) {
		MonoSink<Void> sent = end.stream().outbound.sent;
		if (sent != null) {
			sent.success();
		}
		if (end.closed()) {
			this.outcomes.record(end.stream(), StreamOutcomes.outcome(end.stream().status));
		}
		Stream next = end.next();
		if (next != null) {
			startPending(next);
		}
	}

	/** Called with the monitor held when the peer's half ends. */
	void remoteEnded(Stream stream) {
		stream.state = stream.state.remoteEnded();
		stream.inbound.complete();
	}

	/**
	 * The peer's END_STREAM arrived after the body: close the stream if both halves
	 * ended.
	 */
	void maybeClose(Stream stream) {
		Stream next;
		synchronized (this) {
			if (stream.state != StreamState.CLOSED || !this.streams.containsKey(stream.id)
					|| this.streams.get(stream.id) != stream) {
				return;
			}
			next = closed(stream);
			this.goAway.signalIfDrained(next != null);
		}
		this.outcomes.record(stream, StreamOutcomes.outcome(stream.status));
		if (next != null) {
			startPending(next);
		}
	}

	/**
	 * Called with the monitor held: forget a stream that reached CLOSED.
	 * @return a waiting stream that may open now
	 */
	private @Nullable Stream closed(Stream stream) {
		stream.state = StreamState.CLOSED;
		this.outboundFlow.removed(stream);
		stream.outbound.discard();
		Stream next = null;
		if (this.streams.remove(stream.id, stream)) {
			if (stream.local && !stream.inbound.isClaimed()) {
				this.unclaimed.add(stream);
			}
			if (stream.local) {
				// a waiting stream takes the slot over: nothing else may take it before
				// it starts
				next = this.pendingOpens.poll();
				if (next == null) {
					this.localEndpoint.closed();
				}
			}
			else {
				this.remoteEndpoint.closed();
			}
		}
		return next;
	}

	/**
	 * End a stream abnormally.
	 * @param stream the stream
	 * @param code the RESET code to send, or {@code null} to send nothing (the peer reset
	 * it or it is refused)
	 * @param failure what its caller or handler sees
	 * @param cancelHandler whether to cancel the handling of a peer-opened stream
	 */
	void reset(Stream stream, @Nullable ErrorCode code, Throwable failure, boolean cancelHandler) {
		Stream next;
		synchronized (this) {
			if (stream.isClosed()) {
				return;
			}
			if (code != null && stream.id != 0) {
				sendReset(stream.id, code);
			}
			next = closed(stream);
			this.goAway.signalIfDrained(next != null);
			this.outcomes.record(stream, StreamOutcomes.outcome(code, failure));
		}
		stream.fail(failure, cancelHandler);
		if (next != null) {
			startPending(next);
		}
	}

	void bodyFailed(Stream stream, Throwable ex) {
		reset(stream, ErrorCode.INTERNAL_ERROR, ex, false);
	}

	void bodyCancelled(Stream stream) {
		boolean wanted;
		synchronized (this) {
			wanted = stream.local && stream.state.remoteSideOpen();
		}
		if (wanted) {
			reset(stream, ErrorCode.CANCEL,
					new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Response body cancelled"), false);
		}
	}

	/**
	 * The connection ended: every stream and every waiting call fails.
	 * @param failure the exception they fail with
	 */
	void terminate(RuntimeException failure) {
		List<Stream> all;
		Set<Stream> unsent;
		synchronized (this) {
			if (this.terminated != null) {
				return;
			}
			this.terminated = failure;
			all = new ArrayList<>(this.streams.values());
			unsent = Collections.newSetFromMap(new IdentityHashMap<>());
			unsent.addAll(this.pendingOpens);
			all.addAll(unsent);
			this.pendingOpens.clear();
			for (Stream stream : all) {
				closed(stream);
				if (stream.id != 0) {
					this.outcomes.record(stream, "CONNECTION_CLOSED");
				}
			}
			this.streams.clear();
			all.addAll(this.unclaimed);
			this.unclaimed.clear();
		}
		this.goAway.terminated();
		for (Stream stream : all) {
			stream.fail(unsent.contains(stream) ? unsent(failure) : failure, true);
			stream.inbound.abandon();
		}
	}

	/**
	 * The failure of a stream still waiting for a slot when the connection ended: the
	 * peer never heard of it, so it is refused (safe to retry whatever its method), as at
	 * GOAWAY.
	 */
	private static SwaggerSocketStreamRefusedException unsent(RuntimeException failure) {
		SwaggerSocketStreamRefusedException refused = new SwaggerSocketStreamRefusedException(
				"The connection ended before this stream was sent: " + failure.getMessage());
		refused.initCause(failure);
		return refused;
	}

	/**
	 * A response body got its subscriber (or was let go): its stream is claimed.
	 * @param stream the stream
	 */
	synchronized void claimed(Stream stream) {
		this.unclaimed.remove(stream);
	}

	/**
	 * A pong that answers the bandwidth-delay estimator's ping.
	 * @param payload the pong's payload
	 */
	synchronized void estimatorPong(byte[] payload) {
		if (this.terminated == null) {
			this.inboundFlow.estimatorPong(payload);
		}
	}

	synchronized boolean goingAway() {
		return this.goAway.goingAway();
	}

	synchronized int activeStreams() {
		return this.streams.size();
	}

	String logPrefix() {
		return this.context.logPrefix().get();
	}

	StreamContext context() {
		return this.context;
	}

}
