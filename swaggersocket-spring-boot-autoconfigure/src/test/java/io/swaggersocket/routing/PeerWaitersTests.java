package io.swaggersocket.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bound on waiting calls, as {@link PeerWaiters#waiting()} reports it.
 */
class PeerWaitersTests {

	@Test
	void waitingNeverReadsAboveTheLimitWhileCallsBeyondItAreTurnedAway() throws InterruptedException {
		PeerWaiters waiters = new PeerWaiters(1, null);
		Disposable parked = waiters.await(Mono.empty(), Duration.ofMinutes(1), IllegalStateException::new)
			.subscribe(null, (ex) -> {
			});
		assertThat(waiters.waiting()).isEqualTo(1);
		AtomicBoolean done = new AtomicBoolean();
		AtomicInteger most = new AtomicInteger();
		AtomicInteger turnedAway = new AtomicInteger();
		Thread sampler = new Thread(() -> {
			while (!done.get()) {
				most.accumulateAndGet(waiters.waiting(), Math::max);
			}
		});
		sampler.start();
		List<Thread> callers = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			Thread caller = new Thread(() -> {
				for (int call = 0; call < 100_000; call++) {
					waiters.await(Mono.empty(), Duration.ofMinutes(1), IllegalStateException::new)
						.subscribe(null, (ex) -> {
							if (ex instanceof SwaggerSocketTooManyWaitingException) {
								turnedAway.incrementAndGet();
							}
						});
				}
			});
			caller.start();
			callers.add(caller);
		}
		for (Thread caller : callers) {
			caller.join();
		}
		done.set(true);
		sampler.join();

		assertThat(turnedAway).hasValue(200_000);
		assertThat(most).hasValue(1);
		parked.dispose();
		assertThat(waiters.waiting()).isZero();
	}

}
