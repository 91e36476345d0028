package io.swaggersocket.connection;

import java.util.List;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * One stream, opened by either side: its state, its two halves, and who waits on it (the
 * caller of a stream this side opened, the handling of one the peer opened). Fields are
 * guarded by the stream layer's monitor; callers and handlers are signalled outside it.
 */
final class Stream implements StreamResponder {

	private final Multiplexer multiplexer;

	/** Whether this side opened the stream. */
	final boolean local;

	/**
	 * The id; 0 while a stream this side opens waits for the peer's concurrency limit.
	 */
	int id;

	StreamState state = StreamState.OPEN;

	final OutboundBody outbound;

	final InboundBody inbound;

	// inbound credit, kept by the InboundFlowController

	/** The receive window granted to the peer on this stream. */
	long window;

	long receivedUngranted;

	long consumedUngranted;

	/** The caller of a stream this side opened. */
	@Nullable MonoSink<StreamMessage> response;

	/** Whether the response HEADERS of a stream this side opened have arrived. */
	boolean responded;

	/** The handling of a stream the peer opened. */
	@Nullable Disposable handling;

	// accounting

	@Nullable String method;

	int status = -1;

	long startNanos;

	/** Which attempt of its call a stream this side opened is. */
	int attempt = 1;

	Stream(Multiplexer multiplexer, boolean local, long sendCredit) {
		this.multiplexer = multiplexer;
		this.local = local;
		this.outbound = new OutboundBody(multiplexer, this, sendCredit);
		this.inbound = new InboundBody(multiplexer, this);
	}

	void started(String method) {
		this.method = method;
		this.startNanos = System.nanoTime();
	}

	boolean isClosed() {
		return this.state == StreamState.CLOSED;
	}

	@Override
	public Mono<Void> respond(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return Mono.create((sink) -> respond(headers, body, sink));
	}

	private void respond(List<Header> headers, Publisher<? extends DataBuffer> body, MonoSink<Void> sink) {
		SwaggerSocketHeadersTooLargeException tooLarge = this.multiplexer.checkHeaderBlock(headers);
		StreamLocalEnd end = null;
		synchronized (this.multiplexer) {
			if (this.isClosed() || this.outbound.started) {
				sink.error(this.isClosed()
						? new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Stream " + this.id + " is closed")
						: new IllegalStateException("Already responding"));
				return;
			}
			if (tooLarge == null) {
				this.status = Header.status(headers);
				this.outbound.sent = sink;
				this.outbound.prepare(headers, body);
				end = this.outbound.start();
			}
		}
		if (tooLarge == null) {
			if (end != null) {
				this.multiplexer.afterLocalEnd(end);
			}
			return;
		}
		// the response cannot reach the peer: its caller learns of a failure rather than
		// waiting; this application's answer, not the peer's doing, so it should know
		this.multiplexer.context()
			.logger()
			.warn(this.multiplexer.logPrefix() + "Resetting stream " + this.id
					+ " with INTERNAL_ERROR, its response cannot be sent: " + tooLarge.getMessage());
		this.multiplexer.reset(this, ErrorCode.INTERNAL_ERROR, tooLarge, false);
		sink.error(tooLarge);
	}

	@Override
	public void reset(ErrorCode errorCode) {
		this.multiplexer.reset(this, errorCode, new SwaggerSocketStreamResetException(errorCode, "Reset by this side"),
				false);
	}

	/**
	 * Called without the monitor, once, after the stream was closed abnormally.
	 * @param failure what the caller or handler sees
	 * @param cancelHandler whether to cancel the handling of a stream the peer opened
	 */
	void fail(Throwable failure, boolean cancelHandler) {
		// cancel the handling first: for the handler the peer has gone away, as an HTTP
		// client that disconnects; its pending write must not surface as an application
		// error
		Disposable handling = this.handling;
		if (cancelHandler && handling != null) {
			handling.dispose();
		}
		this.outbound.dispose();
		MonoSink<Void> sent = this.outbound.sent;
		if (sent != null) {
			sent.error(failure);
		}
		MonoSink<StreamMessage> response = this.response;
		boolean unanswered;
		synchronized (this.multiplexer) {
			unanswered = response != null && !this.responded;
			this.responded = true;
		}
		if (unanswered && response != null) {
			response.error(failure);
		}
		this.inbound.fail(failure);
	}

	@Override
	public String toString() {
		return "Stream " + this.id + " " + this.state;
	}

}
