package io.swaggersocket.connection;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The peer's half of a stream as a body for its one subscriber: DATA payloads, as
 * received (slices of the received messages, not copies), in order, as the subscriber
 * requests them. A small publisher of its own rather than a Reactor sink, because it must
 * own what it buffers: each buffer handed over or dropped gives its credit back through
 * the {@link InboundFlowController}, dropped buffers are released here, delivered ones by
 * their consumer.
 *
 * <p>
 * When the stream fails, what is buffered is released and its credit goes back at once
 * (docs/PROTOCOL.md section 7: no consumer will return it), and the subscriber gets the
 * failure without waiting for demand; a subscriber that comes later gets the failure too.
 * When the subscriber cancels, what is buffered is released and the stream is reset
 * (unless it is complete); it is told nothing more. Signals go out one at a time (a drain
 * loop), never while the stream layer's monitor is held by this body.
 */
final class InboundBody implements Publisher<DataBuffer>, Subscription {

	private final Multiplexer multiplexer;

	private final Stream stream;

	private final AtomicInteger drains = new AtomicInteger();

	// guarded by this object's monitor

	// most bodies are a few chunks: start small (flow control bounds it anyway)
	private final ArrayDeque<DataBuffer> buffers = new ArrayDeque<>(4);

	private @Nullable Subscriber<? super DataBuffer> subscriber;

	private boolean subscribed;

	private long demand;

	private boolean completed;

	private @Nullable Throwable failure;

	private boolean cancelled;

	/** Whether the subscriber has been told the end. */
	private boolean done;

	InboundBody(Multiplexer multiplexer, Stream stream) {
		this.multiplexer = multiplexer;
		this.stream = stream;
	}

	/**
	 * Return the body; subscribe once.
	 * @return the body
	 */
	Flux<DataBuffer> flux() {
		return Flux.from(this);
	}

	@Override
	public void subscribe(Subscriber<? super DataBuffer> subscriber) {
		Throwable refusal = null;
		synchronized (this) {
			if (this.subscribed) {
				Throwable failure = this.failure;
				refusal = (failure != null) ? failure
						: new IllegalStateException("The body of stream " + this.stream.id + " has a subscriber");
			}
			else {
				this.subscribed = true;
			}
		}
		if (refusal != null) {
			Operators.error(subscriber, refusal);
			return;
		}
		if (this.multiplexer != null) {
			this.multiplexer.claimed(this.stream);
		}
		subscriber.onSubscribe(this);
		// signals only once onSubscribe has returned (Reactive Streams 1.9)
		synchronized (this) {
			this.subscriber = subscriber;
		}
		drain();
	}

	@Override
	public void request(long n) {
		if (!Operators.validate(n)) {
			return;
		}
		synchronized (this) {
			this.demand = Operators.addCap(this.demand, n);
		}
		drain();
	}

	@Override
	public void cancel() {
		synchronized (this) {
			if (this.cancelled || this.done) {
				return;
			}
			this.cancelled = true;
		}
		drain();
		this.multiplexer.bodyCancelled(this.stream);
	}

	/**
	 * Hand a payload to the subscriber.
	 * @param data the payload, owned by this body from now on
	 */
	void deliver(DataBuffer data) {
		boolean dropped;
		synchronized (this) {
			dropped = this.cancelled || this.failure != null || this.completed;
			if (!dropped) {
				this.buffers.add(data);
			}
		}
		if (dropped) {
			drop(data);
			return;
		}
		drain();
	}

	/** The peer's half ended: the body completes after its last buffer. */
	void complete() {
		synchronized (this) {
			this.completed = true;
		}
		drain();
	}

	/**
	 * The stream failed: release what is buffered, return its credit, and tell the
	 * subscriber at once (unless it cancelled).
	 * @param failure the error
	 */
	void fail(Throwable failure) {
		synchronized (this) {
			if (this.failure != null || this.done) {
				return;
			}
			this.failure = failure;
			// a subscriber that never comes is told when it does: none may come after
			this.subscribed = true;
		}
		drain();
	}

	/**
	 * Whether somebody subscribed to the body, or it was let go.
	 * @return whether the body is claimed
	 */
	synchronized boolean isClaimed() {
		return this.subscribed;
	}

	/**
	 * The caller let go of the response it was handed, body and all: unless somebody
	 * subscribed, the body is dropped as if its subscriber had cancelled.
	 */
	void abandon() {
		synchronized (this) {
			if (this.subscribed) {
				return;
			}
			this.subscribed = true;
		}
		cancel();
	}

	/**
	 * A body nobody will read still holds connection credit and buffers: read and release
	 * it.
	 */
	void drainUnread() {
		synchronized (this) {
			if (this.subscribed) {
				return;
			}
		}
		flux().subscribe(DataBufferUtils::release, (ex) -> {
		});
	}

	/**
	 * Emit what demand allows, drop what nobody will take, and signal the end; one caller
	 * at a time, the others' work done by the one in the loop.
	 */
	private void drain() {
		if (this.drains.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			while (true) {
				Subscriber<? super DataBuffer> subscriber;
				DataBuffer next = null;
				DataBuffer dropped = null;
				Throwable error = null;
				boolean complete = false;
				synchronized (this) {
					subscriber = this.subscriber;
					if (this.cancelled || this.failure != null) {
						dropped = this.buffers.poll();
						if (dropped == null && !this.cancelled && !this.done && subscriber != null) {
							error = this.failure;
							this.done = true;
						}
					}
					else if (subscriber != null) {
						if (this.demand > 0 && !this.buffers.isEmpty()) {
							next = this.buffers.poll();
							this.demand--;
						}
						else if (this.buffers.isEmpty() && this.completed && !this.done) {
							complete = true;
							this.done = true;
						}
					}
				}
				if (dropped != null) {
					drop(dropped);
				}
				else if (next != null && subscriber != null) {
					// credit once the subscriber has taken it: the peer never gets ahead
					// of it
					int length = next.readableByteCount();
					subscriber.onNext(next);
					this.multiplexer.consumed(this.stream, length);
				}
				else if (error != null && subscriber != null) {
					subscriber.onError(error);
					break;
				}
				else if (complete && subscriber != null) {
					subscriber.onComplete();
					break;
				}
				else {
					break;
				}
			}
			missed = this.drains.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private void drop(DataBuffer buffer) {
		this.multiplexer.discard(buffer);
	}

}
