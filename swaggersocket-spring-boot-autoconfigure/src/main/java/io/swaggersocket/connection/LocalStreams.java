package io.swaggersocket.connection;

import java.util.List;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The streams this side opens, one per call to the peer (docs/PROTOCOL.md 6.1 and 8.1): a
 * stream takes the next id of this side's {@link StreamEndpoint} when the peer's
 * concurrency limit leaves a slot and waits in line for one otherwise; it is refused,
 * safe to retry, while the connection goes away, once this side has used up its ids, or
 * after the connection ended. A caller that cancels before its response resets its
 * stream. State is guarded by the {@link Multiplexer}'s monitor.
 */
final class LocalStreams {

	private final Multiplexer multiplexer;

	private boolean exhaustionReported;

	LocalStreams(Multiplexer multiplexer) {
		this.multiplexer = multiplexer;
	}

	/**
	 * Open a stream for a call.
	 * @param headers the request header fields
	 * @param body the request body
	 * @return the response, once its HEADERS arrive
	 */
	Mono<StreamMessage> open(List<Header> headers, Publisher<? extends DataBuffer> body) {
		return Mono.create((sink) -> {
			RuntimeException tooLarge = this.multiplexer.checkHeaderBlock(headers);
			if (tooLarge != null) {
				// refused before it takes an id: the peer never hears of it and the
				// connection carries on
				sink.error(tooLarge);
				return;
			}
			Stream stream = this.multiplexer.newStream(true);
			Integer attempt = sink.contextView().getOrDefault(SwaggerSocketObserver.ATTEMPT_CONTEXT_KEY, 1);
			stream.attempt = (attempt != null) ? attempt : 1;
			stream.response = sink;
			stream.outbound.prepare(headers, body);
			StreamLocalEnd end = null;
			synchronized (this.multiplexer) {
				RuntimeException refusal = refusal();
				if (refusal != null) {
					sink.error(refusal);
					return;
				}
				if (!this.multiplexer.localEndpoint.canOpenStream() || !this.multiplexer.pendingOpens.isEmpty()) {
					this.multiplexer.pendingOpens.add(stream);
				}
				else {
					end = start(stream, false);
				}
			}
			if (end != null) {
				this.multiplexer.afterLocalEnd(end);
			}
			sink.onCancel(() -> cancelledByCaller(stream));
		});
	}

	private @Nullable RuntimeException refusal() {
		if (this.multiplexer.terminated != null) {
			return this.multiplexer.terminated;
		}
		if (this.multiplexer.goAway.goingAway()) {
			return new SwaggerSocketStreamRefusedException("The connection is going away; no new streams");
		}
		if (this.multiplexer.localEndpoint.exhausted()) {
			return new SwaggerSocketStreamRefusedException(
					"The connection has used up its stream ids and is closing; no new streams");
		}
		return null;
	}

	/** Called with the monitor held. */
	private @Nullable StreamLocalEnd start(Stream stream, boolean reserved) {
		stream.id = this.multiplexer.localEndpoint.openStream(reserved);
		stream.started(StreamOutcomes.method(stream.outbound.headers));
		this.multiplexer.context().counters().requestOpened(false);
		this.multiplexer.streams.put(stream.id, stream);
		if (this.multiplexer.localEndpoint.exhausted() && !this.exhaustionReported) {
			this.exhaustionReported = true;
			this.multiplexer.context().streamIdsExhausted().run();
		}
		StreamLocalEnd end = stream.outbound.start();
		this.multiplexer.inboundFlow().opened(stream);
		return end;
	}

	private void cancelledByCaller(Stream stream) {
		boolean responded;
		synchronized (this.multiplexer) {
			if (this.multiplexer.pendingOpens.remove(stream)) {
				return;
			}
			responded = stream.responded;
		}
		if (responded) {
			// the response raced the cancel and may be lost with it: so is its body
			stream.inbound.abandon();
			return;
		}
		this.multiplexer.reset(stream, ErrorCode.CANCEL,
				new SwaggerSocketStreamResetException(ErrorCode.CANCEL, "Cancelled by the caller"), true);
	}

	/**
	 * Start a waiting stream in the slot a closed one handed it; if its caller has gone
	 * meanwhile, the slot goes to the next waiting stream, or back.
	 */
	void startPending(Stream next) {
		StreamLocalEnd end = null;
		synchronized (this.multiplexer) {
			RuntimeException refusal = refusal();
			Stream stream = next;
			while (stream != null && (stream.isClosed() || refusal != null)) {
				MonoSink<StreamMessage> response = stream.response;
				if (refusal != null && response != null && !stream.isClosed()) {
					stream.state = StreamState.CLOSED;
					response.error(refusal);
				}
				stream = this.multiplexer.pendingOpens.poll();
			}
			if (stream == null) {
				this.multiplexer.localEndpoint.closed();
				return;
			}
			end = start(stream, true);
		}
		if (end != null) {
			this.multiplexer.afterLocalEnd(end);
		}
	}

}
