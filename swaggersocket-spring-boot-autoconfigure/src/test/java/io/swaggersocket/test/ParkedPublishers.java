package io.swaggersocket.test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Publishers a handler returns and the test drives: each hands its subscriber over and
 * signals only when the test says so, from the test's thread. A test can so make a
 * handler emit or fail at a chosen point, after its handling was cancelled for instance,
 * as a handler running on another thread can (a publisher may signal a little after a
 * cancel, Reactive Streams 3.12). {@code GET /parked/{key}} and {@code GET
 * /parked-body/{key}} of {@link TestEndpoints} answer with them.
 */
public final class ParkedPublishers {

	private static final Map<String, Parked<?>> parked = new ConcurrentHashMap<>();

	private ParkedPublishers() {
	}

	/**
	 * The publisher under a key, created on first use.
	 * @param <T> the element type
	 * @param key the key
	 * @return the publisher
	 */
	@SuppressWarnings("unchecked")
	public static <T> Parked<T> get(String key) {
		return (Parked<T>) parked.computeIfAbsent(key, (k) -> new Parked<>());
	}

	/**
	 * A gate a handler waits at on its own thread, for {@code GET /gate/{key}}: the
	 * handler's thread is recorded, its cancellation too, and it passes, then fails, when
	 * the test opens the gate. A handler on an {@link #avoid avoided} thread fails at
	 * once without waiting, so that a test never blocks the thread it needs.
	 * @param key the key
	 * @return the gate
	 */
	public static Gate gate(String key) {
		return gates.computeIfAbsent(key, (k) -> new Gate());
	}

	private static final Map<String, Gate> gates = new ConcurrentHashMap<>();

	/** A gate a handler waits at, opened by the test. */
	public static final class Gate {

		private final CountDownLatch entered = new CountDownLatch(1);

		private final CountDownLatch opened = new CountDownLatch(1);

		private final CountDownLatch cancelled = new CountDownLatch(1);

		private volatile @Nullable Thread avoided;

		private volatile @Nullable Thread thread;

		/**
		 * Threads on which the handler must not wait.
		 * @param thread the thread
		 * @return this gate
		 */
		public Gate avoid(Thread thread) {
			this.avoided = thread;
			return this;
		}

		/**
		 * Called by the handler: wait for the gate to open (at most 10 s) unless on the
		 * avoided thread.
		 * @return whether the handler waited
		 */
		public boolean pass() {
			this.thread = Thread.currentThread();
			boolean waits = this.thread != this.avoided;
			this.entered.countDown();
			if (waits) {
				try {
					this.opened.await(10, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return waits;
		}

		/**
		 * Wait for the handler to arrive.
		 * @param timeout how long to wait
		 * @return the thread the handler runs on, {@code null} if it did not arrive
		 * @throws InterruptedException if interrupted
		 */
		public @Nullable Thread awaitEntered(Duration timeout) throws InterruptedException {
			return this.entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? this.thread : null;
		}

		/** Called by the handler when its handling is cancelled. */
		public void cancelled() {
			this.cancelled.countDown();
		}

		/**
		 * Wait for the handling to be cancelled.
		 * @param timeout how long to wait
		 * @return whether it was
		 * @throws InterruptedException if interrupted
		 */
		public boolean awaitCancelled(Duration timeout) throws InterruptedException {
			return this.cancelled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/** Let the handler go on. */
		public void open() {
			this.opened.countDown();
		}

	}

	/**
	 * A publisher of one subscriber, signalled by the test.
	 *
	 * @param <T> the element type
	 */
	public static final class Parked<T> implements Publisher<T> {

		private final CountDownLatch subscribed = new CountDownLatch(1);

		private final CountDownLatch cancelled = new CountDownLatch(1);

		private volatile @Nullable Subscriber<? super T> subscriber;

		private volatile @Nullable Thread cancelledOn;

		private volatile @Nullable Thread subscribedOn;

		@Override
		public void subscribe(Subscriber<? super T> subscriber) {
			this.subscribedOn = Thread.currentThread();
			this.subscriber = subscriber;
			subscriber.onSubscribe(new Subscription() {

				@Override
				public void request(long n) {
				}

				@Override
				public void cancel() {
					Parked.this.cancelledOn = Thread.currentThread();
					Parked.this.cancelled.countDown();
				}

			});
			this.subscribed.countDown();
		}

		/**
		 * Wait for the subscriber.
		 * @param timeout how long to wait
		 * @return whether it came
		 * @throws InterruptedException if interrupted
		 */
		public boolean awaitSubscribed(Duration timeout) throws InterruptedException {
			return this.subscribed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/**
		 * Wait for the subscriber to cancel.
		 * @param timeout how long to wait
		 * @return whether it cancelled
		 * @throws InterruptedException if interrupted
		 */
		public boolean awaitCancelled(Duration timeout) throws InterruptedException {
			return this.cancelled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/**
		 * The thread the subscriber subscribed on: where the handler ran.
		 * @return the thread, {@code null} before the subscription
		 */
		public @Nullable Thread subscribedOn() {
			return this.subscribedOn;
		}

		/**
		 * The thread the subscriber cancelled on.
		 * @return the thread, {@code null} before the cancel
		 */
		public @Nullable Thread cancelledOn() {
			return this.cancelledOn;
		}

		/**
		 * Signal an element.
		 * @param element the element
		 */
		public void next(T element) {
			subscriber().onNext(element);
		}

		/** Signal completion. */
		public void complete() {
			subscriber().onComplete();
		}

		/**
		 * Signal an error.
		 * @param error the error
		 */
		public void error(Throwable error) {
			subscriber().onError(error);
		}

		private Subscriber<? super T> subscriber() {
			Subscriber<? super T> subscriber = this.subscriber;
			if (subscriber == null) {
				throw new IllegalStateException("Not subscribed yet");
			}
			return subscriber;
		}

	}

}
