package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.util.Assert;

/**
 * The streams of one open connection: stream ids, opening and answering streams, body
 * transfer under flow control in both directions, reset and go-away. See
 * docs/PROTOCOL.md, "Streams" and "Flow control".
 *
 * <p>
 * Flow control: a body is read from its publisher one buffer at a time, and the next
 * buffer is requested only once the current one went out within the peer's stream and
 * connection credit. Received body bytes are handed to the subscriber as it requests
 * them, and credit goes back to the peer (WINDOW_UPDATE) as they are handed over or
 * discarded. Neither side buffers more than the windows it declared. Whatever credit the
 * peer grants, bodies also pause while the connection's outbound queue is full
 * ({@link SocketConnection#outboundFull()}), so that a peer that does not read cannot
 * make this side hold more than that queue.
 *
 * <p>
 * All state is guarded by this object's monitor; subscribers are signalled outside it
 * where they may run application code.
 */
final class Multiplexer {

	private static final Log logger = LogFactory.getLog(Multiplexer.class);

	private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

	/** See {@link #maxDataFrame()}; the default {@code maxFrameSize}. */
	static final int MAX_DATA_FRAME = 64 * 1024;

	private final SocketConnection connection;

	private final ConnectionSettings local;

	private final ConnectionSettings peer;

	private final SwaggerSocketStreamHandler handler;

	private final Map<Integer, Stream> streams = new HashMap<>();

	private final ArrayDeque<Stream> blocked = new ArrayDeque<>();

	private final ArrayDeque<Stream> pendingOpens = new ArrayDeque<>();

	private int nextLocalId;

	private int highestRemoteId;

	private int openLocal;

	private int openRemote;

	private long sendCredit;

	private long receivedUngranted;

	private long consumedUngranted;

	private int peerLastStreamId = Integer.MAX_VALUE;

	private boolean goingAway;

	private @Nullable RuntimeException terminated;

	private final Sinks.Empty<Void> drained = Sinks.empty();

	Multiplexer(SocketConnection connection, ConnectionRole role, ConnectionSettings local, ConnectionSettings peer,
			SwaggerSocketStreamHandler handler) {
		this.connection = connection;
		this.local = local;
		this.peer = peer;
		this.handler = handler;
		this.nextLocalId = (role == ConnectionRole.CLIENT) ? 1 : 2;
		this.sendCredit = peer.connectionWindow();
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
			Stream stream = new Stream(true);
			stream.response = sink;
			stream.headersToSend = headers;
			stream.body = body;
			synchronized (this) {
				RuntimeException refusal = refusal();
				if (refusal != null) {
					sink.error(refusal);
					return;
				}
				if (this.openLocal >= this.peer.maxConcurrentStreams()) {
					this.pendingOpens.add(stream);
				}
				else {
					start(stream);
				}
			}
			sink.onCancel(() -> cancelledByCaller(stream));
		});
	}

	/**
	 * A header block the peer would not accept: larger than its
	 * {@code maxHeaderBlockSize}, or than its {@code maxFrameSize}, which would make it
	 * close the whole connection.
	 */
	private @Nullable SwaggerSocketHeadersTooLargeException checkHeaderBlock(List<Header> headers) {
		int limit = Math.min(this.peer.maxHeaderBlockSize(), this.peer.maxFrameSize());
		long size = FrameCodec.headerBlockSize(headers);
		return (size > limit) ? new SwaggerSocketHeadersTooLargeException(size, limit) : null;
	}

	private @Nullable RuntimeException refusal() {
		if (this.terminated != null) {
			return this.terminated;
		}
		if (this.peerLastStreamId != Integer.MAX_VALUE || this.goingAway) {
			return new SwaggerSocketStreamRefusedException("The connection is going away; no new streams");
		}
		return null;
	}

	private void start(Stream stream) {
		stream.id = this.nextLocalId;
		this.nextLocalId += 2;
		stream.started(method(stream.headersToSend));
		this.connection.counters().requestOpened(false);
		this.streams.put(stream.id, stream);
		this.openLocal++;
		stream.startSending();
	}

	private void cancelledByCaller(Stream stream) {
		synchronized (this) {
			if (this.pendingOpens.remove(stream)) {
				return;
			}
		}
		if (!stream.responded) {
			reset(stream, ErrorCode.CANCEL,
					new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Cancelled by the caller"), true);
		}
	}

	// ---- inbound frames

	void onFrame(Frame frame) {
		if (frame instanceof Frame.Headers headers) {
			onHeaders(headers);
		}
		else if (frame instanceof Frame.Data data) {
			onData(data);
		}
		else if (frame instanceof Frame.Reset reset) {
			Stream stream = stream(reset.streamId());
			if (stream != null) {
				onPeerReset(stream, reset.errorCode());
			}
		}
		else if (frame instanceof Frame.WindowUpdate update) {
			onWindowUpdate(update);
		}
		else if (frame instanceof Frame.GoAway goAway) {
			onGoAway(goAway);
		}
	}

	private synchronized @Nullable Stream stream(int id) {
		return this.streams.get(id);
	}

	private boolean isLocalId(int id) {
		return (id % 2) == (this.nextLocalId % 2);
	}

	private void onHeaders(Frame.Headers frame) {
		int id = frame.streamId();
		Stream stream;
		synchronized (this) {
			stream = this.streams.get(id);
			if (stream == null) {
				if (isLocalId(id)) {
					if (id >= this.nextLocalId) {
						throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
								"HEADERS on stream " + id + " that this side never opened");
					}
					return; // a stream we already closed: discard
				}
				if (id <= this.highestRemoteId) {
					throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
							"HEADERS reuses stream id " + id);
				}
				openRemote(frame);
				return;
			}
		}
		if (!stream.local) {
			throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
					"Second request HEADERS on stream " + id);
		}
		if (stream.responded) {
			// no trailers in this version
			reset(stream, ErrorCode.PROTOCOL_ERROR, new SwaggerSocketStreamResetException(ErrorCode.PROTOCOL_ERROR,
					"Unexpected second HEADERS on stream " + id), true);
			return;
		}
		if (!Header.isWellFormedResponse(frame.headers())) {
			// a response the caller cannot use: without the RESET the stream would stay
			// open and count against the peer's limit for good
			logger.debug(this.connection.logPrefix() + "Resetting stream " + id
					+ ": response pseudo-header fields are missing, repeated, unknown, misplaced or out of range");
			reset(stream, ErrorCode.PROTOCOL_ERROR, new SwaggerSocketStreamResetException(ErrorCode.PROTOCOL_ERROR,
					"Malformed response on stream " + id + ": pseudo-header fields " + pseudoHeaders(frame.headers())),
					true);
			return;
		}
		stream.responded = true;
		stream.status = Header.status(frame.headers());
		if (frame.endStream()) {
			stream.remoteEnded();
		}
		Assert.state(stream.response != null, "A stream this side opened has a caller");
		stream.response.success(new StreamMessage(frame.headers(), stream.body()));
		if (frame.endStream()) {
			maybeClose(stream);
		}
	}

	/** Called with the monitor held. */
	private void openRemote(Frame.Headers frame) {
		int id = frame.streamId();
		this.highestRemoteId = id;
		if (this.goingAway || this.terminated != null) {
			sendReset(id, ErrorCode.REFUSED_STREAM);
			return;
		}
		if (this.openRemote >= this.local.maxConcurrentStreams()) {
			logger.warn(this.connection.logPrefix() + "Refusing stream " + id + ": the peer already has "
					+ this.openRemote + " streams open (maxConcurrentStreams)");
			sendReset(id, ErrorCode.REFUSED_STREAM);
			return;
		}
		Stream stream = new Stream(false);
		stream.id = id;
		stream.responded = true;
		stream.started(method(frame.headers()));
		this.connection.counters().requestOpened(true);
		this.streams.put(id, stream);
		this.openRemote++;
		if (frame.endStream()) {
			stream.remoteEnded();
		}
		StreamMessage request = new StreamMessage(frame.headers(), stream.body());
		stream.handling = Mono.defer(() -> this.handler.handle(this.connection, request, stream))
			.subscribe(null, (ex) -> handlerFailed(stream, ex), () -> handlerDone(stream));
	}

	private void handlerFailed(Stream stream, Throwable ex) {
		logger.debug(this.connection.logPrefix() + "Handler failed on stream " + stream.id, ex);
		reset(stream, ErrorCode.INTERNAL_ERROR,
				new SwaggerSocketStreamResetException(ErrorCode.INTERNAL_ERROR, "Handler failed: " + ex), true);
	}

	private void handlerDone(Stream stream) {
		boolean unanswered;
		synchronized (this) {
			unanswered = !stream.closed && !stream.sending;
		}
		if (unanswered) {
			reset(stream, ErrorCode.INTERNAL_ERROR, new SwaggerSocketStreamResetException(ErrorCode.INTERNAL_ERROR,
					"The handler completed without a response"), true);
			return;
		}
		// a request body the handler never read still holds connection credit: let it
		// drain
		stream.drainUnread();
	}

	private void onData(Frame.Data frame) {
		int length = frame.data().remaining();
		Stream stream;
		ErrorCode violation = null;
		synchronized (this) {
			this.receivedUngranted += length;
			if (this.receivedUngranted > this.local.connectionWindow()) {
				throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
						"The peer exceeded the connection window of " + this.local.connectionWindow() + " bytes");
			}
			stream = this.streams.get(frame.streamId());
			if (stream == null) {
				int id = frame.streamId();
				boolean idle = isLocalId(id) ? id >= this.nextLocalId : id > this.highestRemoteId;
				if (idle) {
					throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
							"DATA on stream " + id + " that was never opened");
				}
				consumed(null, length);
				return;
			}
			if (stream.remoteEnded || (stream.local && !stream.responded)) {
				violation = stream.remoteEnded ? ErrorCode.STREAM_CLOSED : ErrorCode.PROTOCOL_ERROR;
			}
			else if (stream.receivedUngranted + length > this.local.initialStreamWindow()) {
				violation = ErrorCode.FLOW_CONTROL_ERROR;
			}
			else {
				stream.receivedUngranted += length;
			}
		}
		if (violation != null) {
			String detail = (violation == ErrorCode.FLOW_CONTROL_ERROR) ? "The peer exceeded the stream window"
					: "DATA on stream " + stream.id + " in the wrong state";
			reset(stream, violation, new SwaggerSocketStreamResetException(violation, detail), true);
			// the reaction first, then the discarded bytes' credit (section 7)
			consumed(null, length);
			return;
		}
		stream.deliver(frame.data(), frame.endStream());
	}

	private void onWindowUpdate(Frame.WindowUpdate update) {
		List<Stream> wake;
		synchronized (this) {
			if (update.streamId() == 0) {
				this.sendCredit += update.increment();
				if (this.sendCredit > Integer.MAX_VALUE) {
					throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
							"Connection send window overflowed 2^31-1");
				}
				wake = unparkAll();
			}
			else {
				Stream stream = this.streams.get(update.streamId());
				if (stream == null) {
					return;
				}
				stream.sendCredit += update.increment();
				if (stream.sendCredit > Integer.MAX_VALUE) {
					throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
							"Send window of stream " + stream.id + " overflowed 2^31-1");
				}
				this.blocked.remove(stream);
				wake = List.of(stream);
			}
		}
		wake.forEach(Stream::pump);
	}

	/**
	 * The transport has taken the outbound queue below its low mark: the streams parked
	 * for it produce again (with those parked for credit, which park again if they still
	 * lack it).
	 */
	void outboundDrained() {
		List<Stream> wake;
		synchronized (this) {
			wake = unparkAll();
		}
		wake.forEach(Stream::pump);
	}

	/**
	 * Called with the monitor held: the parked streams, to be pumped once it is released
	 * (those still short of credit or queue space park again).
	 */
	private List<Stream> unparkAll() {
		List<Stream> wake = new ArrayList<>(this.blocked);
		this.blocked.clear();
		return wake;
	}

	/**
	 * The largest DATA frame this side sends: the peer's {@code maxFrameSize}, but no
	 * more than {@link #MAX_DATA_FRAME}, so that one frame never fills the outbound queue
	 * on its own and what the transport buffers beyond the queue stays small.
	 */
	private int maxDataFrame() {
		return Math.min(this.peer.maxFrameSize(), MAX_DATA_FRAME);
	}

	/** Called with the monitor held: park a stream until credit or queue space comes. */
	private void park(Stream stream) {
		if (!this.blocked.contains(stream)) {
			this.blocked.add(stream);
		}
	}

	private void onGoAway(Frame.GoAway goAway) {
		List<Stream> refused = new ArrayList<>();
		synchronized (this) {
			this.peerLastStreamId = Math.min(this.peerLastStreamId, goAway.lastStreamId());
			for (Stream stream : this.streams.values()) {
				if (stream.local && stream.id > this.peerLastStreamId) {
					refused.add(stream);
				}
			}
			refused.addAll(this.pendingOpens);
			this.pendingOpens.clear();
		}
		for (Stream stream : refused) {
			reset(stream, null,
					new SwaggerSocketStreamRefusedException("The peer is going away and did not process this stream"),
					false);
		}
	}

	// ---- credit

	/**
	 * Body bytes handed to a subscriber or discarded: return their credit. Consumed bytes
	 * are returned in batches; discarded ones ({@code stream} null) at once on stream 0,
	 * with whatever is batched, since no consumer will ever return them. Called with or
	 * without the monitor.
	 */
	private synchronized void consumed(@Nullable Stream stream, int length) {
		if (stream != null && !stream.remoteEnded && !stream.closed) {
			stream.consumedUngranted += length;
			if (stream.consumedUngranted >= this.local.initialStreamWindow() / 2) {
				this.connection.send(new Frame.WindowUpdate(stream.id, (int) stream.consumedUngranted));
				stream.receivedUngranted -= stream.consumedUngranted;
				stream.consumedUngranted = 0;
			}
		}
		this.consumedUngranted += length;
		if (this.consumedUngranted > 0
				&& (stream == null || this.consumedUngranted >= this.local.connectionWindow() / 2)) {
			this.connection.send(new Frame.WindowUpdate(0, (int) this.consumedUngranted));
			this.receivedUngranted -= this.consumedUngranted;
			this.consumedUngranted = 0;
		}
	}

	// ---- ending streams

	private void maybeClose(Stream stream) {
		Stream next = null;
		synchronized (this) {
			if (stream.closed || !stream.localEnded || !stream.remoteEnded) {
				return;
			}
			next = close(stream);
		}
		record(stream, outcome(stream.status));
		if (next != null) {
			startPending(next);
		}
	}

	/** Called with the monitor held; returns a pending stream that may start now. */
	private @Nullable Stream close(Stream stream) {
		Stream next = closeQuietly(stream);
		signalIfDrained(next);
		return next;
	}

	/**
	 * Close without signalling a finished drain, for a caller that sends the stream's
	 * last frame after closing it and signals once that frame is queued.
	 */
	private @Nullable Stream closeQuietly(Stream stream) {
		stream.closed = true;
		this.blocked.remove(stream);
		Stream next = null;
		if (this.streams.remove(stream.id, stream)) {
			if (stream.local) {
				this.openLocal--;
				next = this.pendingOpens.poll();
			}
			else {
				this.openRemote--;
			}
		}
		return next;
	}

	/**
	 * Called with the monitor held, after the last frame of the last stream has been
	 * queued.
	 */
	private void signalIfDrained(@Nullable Stream next) {
		if (this.goingAway && this.streams.isEmpty() && next == null) {
			this.drained.tryEmitEmpty();
		}
	}

	private void startPending(Stream next) {
		synchronized (this) {
			RuntimeException refusal = refusal();
			if (refusal == null) {
				start(next);
				return;
			}
			Assert.state(next.response != null, "A waiting stream has a caller");
			next.response.error(refusal);
		}
	}

	/**
	 * End a stream abnormally.
	 * @param stream the stream
	 * @param code the RESET code to send, or {@code null} to send nothing (the peer reset
	 * it or it is refused)
	 * @param failure what its caller or handler sees
	 * @param cancelHandler whether to cancel the handling of a peer-opened stream
	 */
	private void reset(Stream stream, @Nullable ErrorCode code, Throwable failure, boolean cancelHandler) {
		Stream next;
		synchronized (this) {
			if (stream.closed) {
				return;
			}
			if (code != null && stream.id != 0) {
				sendReset(stream.id, code);
			}
			next = close(stream);
			record(stream, outcome(code, failure));
		}
		stream.fail(failure, cancelHandler);
		if (next != null) {
			startPending(next);
		}
	}

	private void onPeerReset(Stream stream, ErrorCode code) {
		if (code == ErrorCode.NO_ERROR && stream.local && stream.remoteEnded) {
			// the response is complete; the peer only asks us to stop sending the request
			// body
			synchronized (this) {
				stream.localEnded = true;
			}
			stream.stopSending();
			maybeClose(stream);
			return;
		}
		this.connection.counters().streamReset(code, false);
		RuntimeException failure = (code == ErrorCode.REFUSED_STREAM)
				? new SwaggerSocketStreamRefusedException("The peer refused stream " + stream.id + "; safe to retry")
				: new SwaggerSocketStreamResetException(code, "The peer reset stream " + stream.id + " with " + code);
		reset(stream, null, failure, true);
	}

	/**
	 * Reset a stream on a stream-level protocol error found while decoding its frame.
	 * @param id the stream id
	 * @param code the error code
	 */
	void resetMalformed(int id, ErrorCode code) {
		Stream stream;
		synchronized (this) {
			stream = this.streams.get(id);
			if (stream == null) {
				if (!isLocalId(id) && id > this.highestRemoteId) {
					// a refused HEADERS still opens (and closes) its stream id
					this.highestRemoteId = id;
				}
				sendReset(id, code);
				return;
			}
		}
		reset(stream, code, new SwaggerSocketStreamResetException(code, "Malformed frame on stream " + id), true);
	}

	/**
	 * The connection ended: every stream and every waiting call fails.
	 * @param failure the exception they fail with
	 */
	void terminate(RuntimeException failure) {
		List<Stream> all;
		synchronized (this) {
			if (this.terminated != null) {
				return;
			}
			this.terminated = failure;
			all = new ArrayList<>(this.streams.values());
			all.addAll(this.pendingOpens);
			this.pendingOpens.clear();
			for (Stream stream : all) {
				stream.closed = true;
				if (stream.id != 0) {
					record(stream, "CONNECTION_CLOSED");
				}
			}
			this.streams.clear();
			this.blocked.clear();
		}
		this.drained.tryEmitEmpty();
		for (Stream stream : all) {
			stream.fail(failure, true);
		}
	}

	// ---- accounting

	private void sendReset(int id, ErrorCode code) {
		this.connection.send(new Frame.Reset(id, code));
		this.connection.counters().streamReset(code, true);
	}

	private void record(Stream stream, String outcome) {
		if (stream.method == null) {
			return;
		}
		this.connection.observer()
			.exchangeCompleted(
					new SwaggerSocketObserver.ExchangeRecord(this.connection.role(), !stream.local, stream.method,
							stream.status, outcome, java.time.Duration.ofNanos(System.nanoTime() - stream.startNanos)));
	}

	private static List<String> pseudoHeaders(List<Header> headers) {
		return headers.stream()
			.filter((header) -> header.name().startsWith(":"))
			.map((header) -> header.name() + "=" + header.value())
			.toList();
	}

	private static String method(@Nullable List<Header> headers) {
		String method = (headers != null) ? Header.pseudo(headers, Header.METHOD) : null;
		return (method != null) ? method : "UNKNOWN";
	}

	private static String outcome(int status) {
		if (status >= 500) {
			return "SERVER_ERROR";
		}
		if (status >= 400) {
			return "CLIENT_ERROR";
		}
		if (status >= 300) {
			return "REDIRECTION";
		}
		if (status >= 200) {
			return "SUCCESS";
		}
		return (status >= 100) ? "INFORMATIONAL" : "UNKNOWN";
	}

	private static String outcome(@Nullable ErrorCode sent, Throwable failure) {
		if (failure instanceof SwaggerSocketStreamRefusedException || sent == ErrorCode.REFUSED_STREAM) {
			return "REFUSED";
		}
		if (sent == ErrorCode.CANCEL || (failure instanceof SwaggerSocketStreamResetException reset
				&& reset.getErrorCode() == ErrorCode.CANCEL)) {
			return "CANCELLED";
		}
		return "RESET";
	}

	/**
	 * Stop accepting streams from the peer and announce it with GOAWAY.
	 */
	synchronized void goAway(String reason) {
		if (!this.goingAway) {
			this.goingAway = true;
			this.connection.send(new Frame.GoAway(this.highestRemoteId, ErrorCode.NO_ERROR, reason));
			// waiting callers will not be served on this connection: refused, safe to
			// retry elsewhere
			for (Stream pending : this.pendingOpens) {
				Assert.state(pending.response != null, "A waiting stream has a caller");
				pending.response.error(new SwaggerSocketStreamRefusedException("The connection is going away"));
			}
			this.pendingOpens.clear();
			if (this.streams.isEmpty()) {
				this.drained.tryEmitEmpty();
			}
		}
	}

	/**
	 * Announce GOAWAY and wait for the streams in flight, in both directions, to finish.
	 * @param reason the GOAWAY message
	 * @return completes once no stream is open
	 */
	Mono<Void> drain(String reason) {
		goAway(reason);
		return this.drained.asMono();
	}

	/**
	 * Reset every stream still open with CANCEL, for a drain that ran out of time.
	 */
	void cancelAll() {
		List<Stream> open;
		synchronized (this) {
			open = new ArrayList<>(this.streams.values());
		}
		for (Stream stream : open) {
			reset(stream, ErrorCode.CANCEL, new SwaggerSocketStreamResetException(ErrorCode.CANCEL,
					"Stream " + stream.id + " still open when the connection shut down"), true);
		}
	}

	synchronized int activeStreams() {
		return this.streams.size();
	}

	/**
	 * One stream, from either side. Its outbound half sends a body under flow control;
	 * its inbound half delivers the peer's body.
	 */
	private final class Stream implements StreamResponder {

		final boolean local;

		int id;

		// outbound half
		@Nullable List<Header> headersToSend;

		@Nullable Publisher<? extends DataBuffer> body;

		boolean sending;

		boolean headersSent;

		boolean localEnded;

		long sendCredit = Multiplexer.this.peer.initialStreamWindow();

		@Nullable ByteBuffer pending;

		boolean bodyCompleted;

		/**
		 * Whether a buffer has been requested from the body and not delivered yet: at
		 * most one.
		 */
		boolean demanded;

		@Nullable BodySubscriber subscriber;

		@Nullable MonoSink<Void> sent;

		// inbound half
		// most bodies are a few chunks: start the queue small (flow control bounds it
		// anyway)
		final Sinks.Many<DataBuffer> inbound = Sinks.many()
			.unicast()
			.onBackpressureBuffer(Queues.<DataBuffer>unbounded(16).get());

		boolean bodySubscribed;

		boolean remoteEnded;

		long receivedUngranted;

		long consumedUngranted;

		// calling side: the response; serving side: the handling
		@Nullable MonoSink<StreamMessage> response;

		boolean responded;

		@Nullable Disposable handling;

		boolean closed;

		// accounting
		@Nullable String method;

		int status = -1;

		long startNanos;

		Stream(boolean local) {
			this.local = local;
		}

		void started(String method) {
			this.method = method;
			this.startNanos = System.nanoTime();
		}

		Flux<DataBuffer> body() {
			return this.inbound.asFlux()
				.doOnSubscribe((subscription) -> this.bodySubscribed = true)
				.doOnNext((buffer) -> consumed(this, buffer.readableByteCount()))
				.doOnDiscard(DataBuffer.class, (buffer) -> consumed(null, buffer.readableByteCount()))
				.doOnCancel(this::bodyCancelled);
		}

		private void bodyCancelled() {
			if (this.local && !this.remoteEnded) {
				Multiplexer.this.reset(this, ErrorCode.CANCEL,
						new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Response body cancelled"), false);
			}
		}

		void remoteEnded() {
			this.remoteEnded = true;
			emitInbound(() -> this.inbound.tryEmitComplete());
		}

		void deliver(ByteBuffer data, boolean end) {
			if (end) {
				// ended before the last bytes go out: a subscriber that cancels on them
				// (Flux.next(),
				// Mono.from) cancels a complete response, which needs no RESET CANCEL
				synchronized (Multiplexer.this) {
					this.remoteEnded = true;
				}
			}
			if (data.hasRemaining()) {
				DataBuffer buffer = BUFFERS.wrap(data);
				Sinks.EmitResult result;
				synchronized (this) {
					result = this.inbound.tryEmitNext(buffer);
				}
				if (result.isFailure()) {
					consumed(null, data.remaining());
				}
			}
			if (end) {
				emitInbound(() -> this.inbound.tryEmitComplete());
				maybeClose(this);
			}
		}

		private synchronized void emitInbound(Runnable emission) {
			emission.run();
		}

		void drainUnread() {
			if (!this.bodySubscribed) {
				body().subscribe(null, (ex) -> {
				});
			}
		}

		// -- outbound

		@Override
		public Mono<Void> respond(List<Header> headers, Publisher<? extends DataBuffer> body) {
			return Mono.create((sink) -> {
				SwaggerSocketHeadersTooLargeException tooLarge = checkHeaderBlock(headers);
				synchronized (Multiplexer.this) {
					if (this.closed || this.sending) {
						sink.error(this.closed
								? new SwaggerSocketStreamResetException(ErrorCode.CANCEL,
										"Stream " + this.id + " is closed")
								: new IllegalStateException("Already responding"));
						return;
					}
					if (tooLarge == null) {
						this.headersToSend = headers;
						this.status = Header.status(headers);
						this.body = body;
						this.sent = sink;
						startSending();
						return;
					}
				}
				// the response cannot reach the peer: its caller learns of a failure
				// rather than waiting
				// this application's answer, not the peer's doing: it should know
				logger.warn(Multiplexer.this.connection.logPrefix() + "Resetting stream " + this.id
						+ " with INTERNAL_ERROR, its response cannot be sent: " + tooLarge.getMessage());
				Multiplexer.this.reset(this, ErrorCode.INTERNAL_ERROR, tooLarge, false);
				sink.error(tooLarge);
			});
		}

		@Override
		public void reset(ErrorCode errorCode) {
			Multiplexer.this.reset(this, errorCode,
					new SwaggerSocketStreamResetException(errorCode, "Reset by this side"), false);
		}

		/** Called with the monitor held. */
		void startSending() {
			this.sending = true;
			BodySubscriber subscriber = new BodySubscriber(this);
			this.subscriber = subscriber;
			Assert.state(this.body != null, "A stream sends only once it has a body");
			this.body.subscribe(subscriber);
			// what a synchronous body delivered during subscribe goes out now, in as few
			// frames as it can
			pump();
			// a body that did not deliver at once: the peer gets the headers now
			if (!this.headersSent && !this.closed) {
				sendHeaders(false);
			}
		}

		private void sendHeaders(boolean endStream) {
			this.headersSent = true;
			Assert.state(this.headersToSend != null, "Headers are sent once");
			Multiplexer.this.connection.send(new Frame.Headers(this.id, endStream, this.headersToSend));
			this.headersToSend = null;
		}

		void onBodyBuffer(DataBuffer buffer) {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			synchronized (Multiplexer.this) {
				this.demanded = false;
				this.pending = ByteBuffer.wrap(bytes);
			}
			pumpUnlessRequesting();
		}

		void onBodyComplete() {
			synchronized (Multiplexer.this) {
				this.bodyCompleted = true;
			}
			pumpUnlessRequesting();
		}

		/**
		 * A body that answers a request synchronously (a Mono, a ready Flux) is sent by
		 * the pump that asked, once the request returns: so its last buffer and its
		 * completion go out together, as one DATA frame with END_STREAM.
		 */
		private void pumpUnlessRequesting() {
			BodySubscriber subscriber = this.subscriber;
			if (subscriber == null || !subscriber.requesting) {
				pump();
			}
		}

		/**
		 * Send what credit allows; ask the body for more once the current buffer is out.
		 */
		void pump() {
			while (pumpOnce()) {
				BodySubscriber subscriber = this.subscriber;
				if (subscriber == null) {
					return;
				}
				subscriber.requesting = true;
				subscriber.request(1);
				subscriber.requesting = false;
				synchronized (Multiplexer.this) {
					// an asynchronous body pumps by itself when its next buffer arrives
					if (this.pending == null && !this.bodyCompleted) {
						return;
					}
				}
			}
		}

		/**
		 * Send the pending buffer as far as credit allows.
		 * @return whether the body should be asked for its next buffer
		 */
		private boolean pumpOnce() {
			boolean more;
			boolean ended = false;
			boolean closedNow = false;
			Stream next = null;
			synchronized (Multiplexer.this) {
				if (this.closed || this.localEnded || !this.sending) {
					return false;
				}
				ByteBuffer pending = this.pending;
				while (pending != null && pending.hasRemaining()) {
					long credit = Math.min(this.sendCredit, Multiplexer.this.sendCredit);
					int length = (int) Math.min(Math.min(pending.remaining(), maxDataFrame()), credit);
					if (length <= 0 || Multiplexer.this.connection.outboundFull()) {
						// whatever credit the peer granted, memory here is bounded by the
						// queue
						park(this);
						return false;
					}
					if (!this.headersSent) {
						sendHeaders(false);
					}
					ByteBuffer chunk = pending.slice().limit(length);
					pending.position(pending.position() + length);
					this.sendCredit -= length;
					Multiplexer.this.sendCredit -= length;
					boolean last = this.bodyCompleted && !pending.hasRemaining();
					if (last) {
						closedNow = ended(this);
						next = closedNow ? closeQuietly(this) : null;
						ended = true;
					}
					Multiplexer.this.connection.send(new Frame.Data(this.id, last, chunk));
					if (closedNow) {
						signalIfDrained(next);
					}
				}
				this.pending = null;
				// pump runs from the body's and the peer's threads alike: only one may
				// ask for more
				more = !this.bodyCompleted && !this.demanded;
				if (more && Multiplexer.this.connection.outboundFull()) {
					// the next buffer is not even produced until the queue drains
					park(this);
					more = false;
				}
				if (more) {
					this.demanded = true;
				}
				if (this.bodyCompleted && !ended) {
					closedNow = ended(this);
					next = closedNow ? closeQuietly(this) : null;
					ended = true;
					if (this.headersSent) {
						Multiplexer.this.connection.send(new Frame.Data(this.id, true, ByteBuffer.allocate(0)));
					}
					else {
						sendHeaders(true);
					}
					if (closedNow) {
						signalIfDrained(next);
					}
				}
			}
			if (ended) {
				if (this.sent != null) {
					this.sent.success();
				}
				if (closedNow) {
					record(this, outcome(this.status));
					if (next != null) {
						startPending(next);
					}
				}
				return false;
			}
			return more;
		}

		/**
		 * This side's half ends; called with the monitor held, before the last frame is
		 * sent.
		 * @return whether the stream is now closed: it is then counted closed before the
		 * peer can see the end, so that a new stream of the peer's never meets it in the
		 * limit
		 */
		private boolean ended(Stream stream) {
			stream.localEnded = true;
			return stream.remoteEnded;
		}

		void stopSending() {
			BodySubscriber subscriber = this.subscriber;
			if (subscriber != null) {
				subscriber.dispose();
			}
		}

		/** Called without the monitor, once, after the stream was closed abnormally. */
		void fail(Throwable failure, boolean cancelHandler) {
			// cancel the handling first: for the handler the peer has gone away, as an
			// HTTP client
			// that disconnects; its pending write must not surface as an application
			// error
			if (cancelHandler && this.handling != null) {
				this.handling.dispose();
			}
			stopSending();
			if (this.sent != null) {
				this.sent.error(failure);
			}
			if (this.response != null && !this.responded) {
				this.responded = true;
				this.response.error(failure);
			}
			emitInbound(() -> this.inbound.tryEmitError(failure));
			drainUnread();
		}

	}

	/**
	 * Reads a body one buffer at a time, on demand of the flow control.
	 */
	private final class BodySubscriber extends BaseSubscriber<DataBuffer> {

		private final Stream stream;

		/**
		 * Set while this side is inside {@code request(1)}: signals delivered meanwhile
		 * are sent after it.
		 */
		volatile boolean requesting;

		BodySubscriber(Stream stream) {
			this.stream = stream;
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
			synchronized (Multiplexer.this) {
				if (Multiplexer.this.connection.outboundFull()) {
					// first buffer asked for by the pump once the queue drains
					park(this.stream);
					return;
				}
				this.stream.demanded = true;
			}
			this.requesting = true;
			request(1);
			this.requesting = false;
		}

		@Override
		protected void hookOnNext(DataBuffer buffer) {
			this.stream.onBodyBuffer(buffer);
		}

		@Override
		protected void hookOnComplete() {
			this.stream.onBodyComplete();
		}

		@Override
		protected void hookOnError(Throwable ex) {
			logger.debug(Multiplexer.this.connection.logPrefix() + "Body of stream " + this.stream.id + " failed", ex);
			// the writer of the body sees its own error; the peer sees RESET
			// INTERNAL_ERROR
			reset(this.stream, ErrorCode.INTERNAL_ERROR, ex, false);
		}

	}

}
