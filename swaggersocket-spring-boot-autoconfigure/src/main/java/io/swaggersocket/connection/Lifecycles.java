package io.swaggersocket.connection;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Blocking {@code stop()} for lifecycle beans whose real work is the asynchronous
 * {@code stop(Runnable)}, for callers (such as
 * {@code ConfigurableApplicationContext.stop()} on a plain {@code Lifecycle} path) that
 * do not pass a callback.
 */
public final class Lifecycles {

	private Lifecycles() {
	}

	/**
	 * Run an asynchronous stop and wait for its callback.
	 * @param stop the asynchronous stop, given the callback to run when done
	 * @param timeout how long to wait at most
	 */
	public static void awaitStop(Consumer<Runnable> stop, Duration timeout) {
		CountDownLatch stopped = new CountDownLatch(1);
		stop.accept(stopped::countDown);
		try {
			stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
