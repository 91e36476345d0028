package io.swaggersocket.routing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.ApplicationListener;

/**
 * The calls that wait for a matching connection to appear: each looks again whenever a
 * connection of this application connects and, in a cluster, at a fixed interval (a
 * connection another hub accepts raises no event here). At most {@code maxWaiting} calls
 * wait at once; the next one fails at once with
 * {@link SwaggerSocketTooManyWaitingException}, so that a flood of calls for an absent
 * peer holds no more than that many.
 */
public final class PeerWaiters implements ApplicationListener<SwaggerSocketConnectedEvent> {

	/**
	 * How often waiting calls look again in a cluster, where a connection another hub
	 * accepts raises no event here.
	 */
	public static final Duration CLUSTER_POLL_INTERVAL = Duration.ofMillis(500);

	private static final Object WAKE_UP = new Object();

	private final Sinks.Many<Object> arrivals = Sinks.many().multicast().directBestEffort();

	private final Flux<Object> wakeUps;

	private final AtomicInteger waiting = new AtomicInteger();

	private final int maxWaiting;

	/**
	 * Create the waiters of one application.
	 * @param maxWaiting the most calls that may wait at once
	 * @param pollInterval how often waiting calls look again without an event, or
	 * {@code null} to look again only when a connection of this application connects
	 */
	public PeerWaiters(int maxWaiting, @Nullable Duration pollInterval) {
		if (maxWaiting < 0) {
			throw new IllegalArgumentException("maxWaiting must not be negative, not " + maxWaiting);
		}
		this.maxWaiting = maxWaiting;
		Flux<Object> arrivals = this.arrivals.asFlux();
		this.wakeUps = (pollInterval != null)
				? Flux.merge(arrivals, Flux.interval(pollInterval).onBackpressureDrop().map((tick) -> WAKE_UP).share())
				: arrivals;
	}

	/**
	 * Look up until the look-up finds something or the timeout passes.
	 * @param <T> what is looked up
	 * @param lookUp the look-up, empty while nothing is found; subscribed once at once
	 * and again at each wake-up
	 * @param timeout how long to wait
	 * @param onTimeout the error of a wait that timed out
	 * @return what was found; errors with {@link SwaggerSocketTooManyWaitingException}
	 * when too many calls wait already. Cancelling it stops the wait.
	 */
	public <T> Mono<T> await(Mono<T> lookUp, Duration timeout, Supplier<? extends Throwable> onTimeout) {
		return Mono.defer(() -> {
			// a seat is taken only when one is free: an increment undone afterwards would
			// show more than maxWaiting to waiting() for a moment
			int before = this.waiting.getAndUpdate((now) -> (now < this.maxWaiting) ? now + 1 : now);
			if (before >= this.maxWaiting) {
				return Mono.error(new SwaggerSocketTooManyWaitingException("Already " + this.maxWaiting
						+ " calls wait for a peer to connect (swaggersocket.routing.max-waiting)"));
			}
			// the wake-ups are subscribed before the first look-up: a connection that
			// arrives in between is not missed
			return Flux.merge(this.wakeUps, Mono.just(WAKE_UP))
				.onBackpressureLatest()
				.concatMap((wakeUp) -> lookUp, 1)
				.next()
				.timeout(timeout, Mono.error(onTimeout))
				.doFinally((signal) -> this.waiting.decrementAndGet());
		});
	}

	/**
	 * Return how many calls wait now.
	 * @return the number of waiting calls
	 */
	public int waiting() {
		return this.waiting.get();
	}

	@Override
	public void onApplicationEvent(SwaggerSocketConnectedEvent event) {
		// events may come from several connections' threads at once, and a sink takes
		// one emission at a time
		synchronized (this.arrivals) {
			this.arrivals.tryEmitNext(WAKE_UP);
		}
	}

}
