package io.swaggersocket.connection;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The streams the peer opens: refused while this side goes away or above the limit this
 * side declared (docs/PROTOCOL.md 6.3 and 8.1), otherwise handed to the stream handler,
 * on the connection's event loop or, where the handling is spread
 * ({@link SpreadHandling}), on a scheduler over all of the transport's loops.
 */
final class RemoteStreams {

	private final Multiplexer multiplexer;

	private final SwaggerSocketStreamHandler handler;

	private final @Nullable Executor dispatcher;

	/**
	 * The dispatcher as a scheduler, made on the first hand-off: a connection that never
	 * hands one off, an idle one above all, holds none. Guarded by the stream layer's
	 * monitor.
	 */
	private @Nullable Scheduler scheduler;

	/**
	 * With a dispatcher, how many handlings may run on the connection's loop at once
	 * before the next one goes to the dispatcher.
	 */
	private final int inlineLimit;

	/** Handlings under way on the connection's loop. */
	private final AtomicInteger inline = new AtomicInteger();

	RemoteStreams(Multiplexer multiplexer, SwaggerSocketStreamHandler handler, @Nullable Executor dispatcher,
			int inlineLimit) {
		this.multiplexer = multiplexer;
		this.handler = handler;
		this.dispatcher = dispatcher;
		this.inlineLimit = inlineLimit;
	}

	/**
	 * Called with the monitor held, for HEADERS that open a stream the peer may open.
	 * @return the stream's handling, to be started once the monitor is released;
	 * {@code null} if the stream was refused
	 */
	@Nullable StreamHandling openRemote(Frame.Headers frame) {
		int id = frame.streamId();
		if (this.multiplexer.goAway.sent() || this.multiplexer.terminated != null) {
			this.multiplexer.remoteEndpoint.used(id);
			this.multiplexer.sendReset(id, ErrorCode.REFUSED_STREAM);
			return null;
		}
		if (!this.multiplexer.remoteEndpoint.canOpenStream()) {
			this.multiplexer.remoteEndpoint.used(id);
			this.multiplexer.context()
				.logger()
				.warn(this.multiplexer.logPrefix() + "Refusing stream " + id + ": the peer already has "
						+ this.multiplexer.remoteEndpoint.activeStreams() + " streams open (maxConcurrentStreams)");
			this.multiplexer.sendReset(id, ErrorCode.REFUSED_STREAM);
			return null;
		}
		Stream stream = this.multiplexer.newStream(false);
		stream.id = id;
		stream.responded = true;
		stream.started(StreamOutcomes.method(frame.headers()));
		this.multiplexer.context().counters().requestOpened(true);
		this.multiplexer.streams.put(id, stream);
		this.multiplexer.remoteEndpoint.created(id);
		if (frame.endStream()) {
			this.multiplexer.remoteEnded(stream);
		}
		this.multiplexer.inboundFlow().opened(stream);
		StreamMessage request = new StreamMessage(frame.headers(), stream.inbound.flux(), frame.endStream());
		Mono<Void> handling = Mono
			.defer(() -> this.handler.handle(this.multiplexer.context().connection(), request, stream));
		Executor dispatcher = this.dispatcher;
		Runnable inlineEnded = null;
		if (dispatcher != null) {
			if (this.inline.incrementAndGet() > this.inlineLimit) {
				this.inline.decrementAndGet();
				Scheduler scheduler = this.scheduler;
				if (scheduler == null) {
					scheduler = Schedulers.fromExecutor(dispatcher);
					this.scheduler = scheduler;
				}
				handling = handling.subscribeOn(scheduler);
			}
			else {
				inlineEnded = this.inline::decrementAndGet;
			}
		}
		StreamHandling subscriber = new StreamHandling(this, stream, handling, inlineEnded);
		stream.handling = subscriber;
		return subscriber;
	}

	void handlerFailed(Stream stream, Throwable ex) {
		this.multiplexer.context()
			.logger()
			.debug(this.multiplexer.logPrefix() + "Handler failed on stream " + stream.id, ex);
		this.multiplexer.reset(stream, ErrorCode.INTERNAL_ERROR,
				new SwaggerSocketStreamResetException(ErrorCode.INTERNAL_ERROR, "Handler failed: " + ex), true);
	}

	/**
	 * The handling failed after the stream layer cancelled it: nobody waits for its
	 * outcome any more.
	 */
	void failedAfterCancel(Stream stream, Throwable ex) {
		this.multiplexer.context()
			.logger()
			.debug(this.multiplexer.logPrefix() + "Handling of stream " + stream.id
					+ " failed after it was cancelled (the peer reset the stream or the connection ended): " + ex);
	}

	void handlerDone(Stream stream) {
		boolean unanswered;
		synchronized (this.multiplexer) {
			unanswered = !stream.isClosed() && !stream.outbound.started;
		}
		if (unanswered) {
			this.multiplexer.reset(stream, ErrorCode.INTERNAL_ERROR, new SwaggerSocketStreamResetException(
					ErrorCode.INTERNAL_ERROR, "The handler completed without a response"), true);
			return;
		}
		// a request body the handler never read still holds connection credit: let it
		// drain
		stream.inbound.drainUnread();
	}

}
