package io.swaggersocket.connection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The peer's half of a stream as a body for its subscriber: DATA payloads, as received
 * (slices of the received messages, not copies), in order, as the subscriber requests
 * them. Each buffer handed over or discarded gives its credit back through the
 * {@link InboundFlowController}; discarded buffers are released here, delivered ones by
 * their consumer.
 */
final class InboundBody {

	private final Multiplexer multiplexer;

	private final Stream stream;

	// most bodies are a few chunks: start the queue small (flow control bounds it anyway)
	private final Sinks.Many<DataBuffer> sink = Sinks.many()
		.unicast()
		.onBackpressureBuffer(Queues.<DataBuffer>unbounded(16).get());

	/** Whether the body has been subscribed; guarded by the stream layer's monitor. */
	private boolean subscribed;

	InboundBody(Multiplexer multiplexer, Stream stream) {
		this.multiplexer = multiplexer;
		this.stream = stream;
	}

	/**
	 * Return the body; subscribe once.
	 * @return the body
	 */
	Flux<DataBuffer> flux() {
		return this.sink.asFlux()
			.doOnSubscribe((subscription) -> subscribed())
			.doOnNext((buffer) -> this.multiplexer.consumed(this.stream, buffer.readableByteCount()))
			.doOnDiscard(DataBuffer.class, this::discarded)
			.doOnCancel(() -> this.multiplexer.bodyCancelled(this.stream));
	}

	private void subscribed() {
		synchronized (this.multiplexer) {
			this.subscribed = true;
		}
	}

	/**
	 * Hand a payload to the subscriber.
	 * @param data the payload, owned by this body from now on
	 */
	void deliver(DataBuffer data) {
		int length = data.readableByteCount();
		Sinks.EmitResult result;
		synchronized (this) {
			result = this.sink.tryEmitNext(data);
		}
		if (result.isFailure()) {
			DataBufferUtils.release(data);
			this.multiplexer.consumed(null, length);
		}
	}

	/** The peer's half ended: the body completes after its last buffer. */
	synchronized void complete() {
		this.sink.tryEmitComplete();
	}

	/**
	 * The stream failed: the body errors after what is buffered (which a subscriber that
	 * cancels then discards).
	 * @param failure the error
	 */
	void fail(Throwable failure) {
		synchronized (this) {
			this.sink.tryEmitError(failure);
		}
		drainUnread();
	}

	/**
	 * A body nobody will read still holds connection credit: read and discard it.
	 */
	void drainUnread() {
		boolean subscribed;
		synchronized (this.multiplexer) {
			subscribed = this.subscribed;
		}
		if (!subscribed) {
			flux().subscribe(DataBufferUtils::release, (ex) -> {
			});
		}
	}

	private void discarded(DataBuffer buffer) {
		int length = buffer.readableByteCount();
		DataBufferUtils.release(buffer);
		this.multiplexer.consumed(null, length);
	}

}
