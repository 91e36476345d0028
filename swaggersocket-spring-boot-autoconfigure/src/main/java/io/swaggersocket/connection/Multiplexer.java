package io.swaggersocket.connection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The streams of one open connection (docs/PROTOCOL.md, "Streams", "Flow control" and
 * "GOAWAY"), in the shape of Netty's HTTP/2 codec: an endpoint per side
 * ({@link StreamEndpoint}) for ids and limits, a {@link StreamState} per {@link Stream},
 * the {@link InboundFlowController} for the credit this side grants, the
 * {@link OutboundFlowController} for the credit it is granted and for which stream sends
 * next, and a {@link FrameWriter} as its only way out. Frames from the peer arrive
 * through {@link StreamFrameReader}; the streams this side opens start in
 * {@link LocalStreams}, those the peer opens in {@link RemoteStreams}. This class keeps
 * the table of open streams and ends them.
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

	/**
	 * The open streams by id: keyed by a primitive int, as Netty's HTTP/2 connection
	 * keeps its streams, looked up for every frame.
	 */
	final IntObjectMap<Stream> streams = new IntObjectHashMap<>();

	/**
	 * Streams this side opened that closed before their caller subscribed to the response
	 * body: a caller cancelled as the response arrived may have dropped it, and its body
	 * would keep its buffers; the connection's end releases them.
	 */
	private final Set<Stream> unclaimed = new HashSet<>(0);

	/**
	 * Streams this side opened that wait for a slot under the peer's concurrency limit,
	 * in order; {@link LocalStreams} queues them, a closing stream hands its slot to the
	 * first.
	 */
	final ArrayDeque<Stream> pendingOpens = new ArrayDeque<>(0);

	private final InboundFlowController inboundFlow;

	final RemoteStreams remoteStreams;

	private final OutboundFlowController outboundFlow;

	final StreamOutcomes outcomes;

	final GoAway goAway = new GoAway(this);

	private final LocalStreams localStreams = new LocalStreams(this);

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
		this.remoteStreams = new RemoteStreams(this, handler, executor,
				(options.spreadHandling() == SpreadHandling.WHEN_BUSY) ? SpreadHandling.INLINE_LIMIT : 0);
	}

	// ---- opening streams

	/** Open a stream for a call to the peer ({@link LocalStreams#open}). */
	Mono<StreamMessage> open(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return this.localStreams.open(headers, body);
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
			this.localStreams.startPending(next);
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
			if (stream.state != StreamState.CLOSED || this.streams.get(stream.id) != stream) {
				return;
			}
			next = closed(stream);
			this.goAway.signalIfDrained(next != null);
		}
		this.outcomes.record(stream, StreamOutcomes.outcome(stream.status));
		if (next != null) {
			this.localStreams.startPending(next);
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
		if (this.streams.get(stream.id) == stream) {
			this.streams.remove(stream.id);
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
			this.localStreams.startPending(next);
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
	 * The handshake completed and the stream layer is open.
	 * @param handshakeRoundTripNanos how long the peer took to answer this side's last
	 * handshake message
	 */
	synchronized void connectionOpened(long handshakeRoundTripNanos) {
		this.inboundFlow.connectionOpened(handshakeRoundTripNanos);
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
