package io.swaggersocket.connection;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The subscriber to the handling of one stream the peer opened: it tells
 * {@link RemoteStreams} how the handling ended, and it is how the stream layer cancels
 * the handling when the peer resets the stream or the connection ends, as a server
 * cancels the exchange of an HTTP client that disconnects.
 *
 * <p>
 * The handling may run on another thread than the one that cancels it (the handling
 * spread over the event loops, or any asynchronous step of a handler). Work already under
 * way there can still fail after the cancel, and Reactor then drops the error (Reactive
 * Streams 3.12 lets a publisher signal a little after a cancel); by default it logs such
 * an error at ERROR. A failure of work nobody waits for any more is no fault of this
 * application, so this subscriber gives the handling a local dropped-error hook that logs
 * it at DEBUG with the connection id. An error dropped while the handling was not
 * cancelled is left to Reactor's global hook: it means a broken operator, a bug, and
 * stays an ERROR.
 */
final class StreamHandling implements CoreSubscriber<Void>, Disposable {

	/**
	 * Reactor's context key for a dropped-error hook local to one subscription
	 * ({@code Hooks.KEY_ON_ERROR_DROPPED}, package-private there), looked up by
	 * {@code Operators.onErrorDropped(Throwable, Context)} before the global hook.
	 */
	static final String ON_ERROR_DROPPED_KEY = "reactor.onErrorDropped.local";

	private static final AtomicReferenceFieldUpdater<StreamHandling, @Nullable Subscription> SUBSCRIPTION = AtomicReferenceFieldUpdater
		.newUpdater(StreamHandling.class, Subscription.class, "subscription");

	private final RemoteStreams streams;

	private final Stream stream;

	private final Context context;

	private final Mono<Void> handling;

	/** Called once when the handling ends or is cancelled, if not null. */
	private final @Nullable Runnable ended;

	private volatile @Nullable Subscription subscription;

	/**
	 * Set before the cancel travels up the handling, so that whatever the cancel makes an
	 * operator drop on another thread finds it set.
	 */
	private volatile boolean cancelled;

	StreamHandling(RemoteStreams streams, Stream stream, Mono<Void> handling, @Nullable Runnable ended) {
		this.streams = streams;
		this.stream = stream;
		this.handling = handling;
		this.ended = ended;
		Consumer<Throwable> dropped = this::dropped;
		this.context = Context.of(ON_ERROR_DROPPED_KEY, dropped);
	}

	/** Start the handling; called once, without the stream layer's monitor. */
	void start() {
		this.handling.subscribe(this);
	}

	@Override
	public Context currentContext() {
		return this.context;
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		if (Operators.setOnce(SUBSCRIPTION, this, subscription)) {
			subscription.request(Long.MAX_VALUE);
		}
	}

	@Override
	public void onNext(Void value) {
	}

	@Override
	public void onError(Throwable ex) {
		if (SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription()) == Operators.cancelledSubscription()) {
			dropped(ex);
			return;
		}
		ended();
		this.streams.handlerFailed(this.stream, ex);
	}

	@Override
	public void onComplete() {
		if (SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription()) != Operators.cancelledSubscription()) {
			ended();
			this.streams.handlerDone(this.stream);
		}
	}

	/** Cancel the handling: the peer reset the stream or the connection ended. */
	@Override
	public void dispose() {
		this.cancelled = true;
		Subscription previous = SUBSCRIPTION.getAndSet(this, Operators.cancelledSubscription());
		if (previous != Operators.cancelledSubscription()) {
			// also before the handling started: onSubscribe then cancels it at once
			if (previous != null) {
				previous.cancel();
			}
			ended();
		}
	}

	@Override
	public boolean isDisposed() {
		return this.subscription == Operators.cancelledSubscription();
	}

	private void ended() {
		Runnable ended = this.ended;
		if (ended != null) {
			ended.run();
		}
	}

	private void dropped(Throwable ex) {
		if (!this.cancelled) {
			Operators.onErrorDropped(ex, Context.empty());
			return;
		}
		this.streams.failedAfterCancel(this.stream, ex);
	}

}
