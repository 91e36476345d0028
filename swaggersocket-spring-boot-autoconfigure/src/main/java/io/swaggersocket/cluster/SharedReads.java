package io.swaggersocket.cluster;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Reads of the directory that concurrent look-ups of the same key share: the first
 * look-up of a key starts the read, and every look-up of that key that arrives while it
 * is in flight waits for its answer instead of sending one of its own. So when a kept
 * answer expires under load, one read goes to Redis, not one per call in flight.
 *
 * <p>
 * A read is forgotten the moment it ends, so nothing it answered is kept here (what to
 * keep, and for how long, is the caller's cache's business); a failed read fails only the
 * look-ups that waited for it, and the next look-up reads again. A look-up that is
 * cancelled stops waiting, and the read goes on for the others; it ends within the
 * directory's command timeout even if nobody waits any more. Bounded: beyond
 * {@code maxInFlight} keys in flight at once, a look-up reads on its own.
 *
 * @param <T> what a read answers
 */
final class SharedReads<T> {

	private final ConcurrentMap<String, Sinks.One<T>> inFlight = new ConcurrentHashMap<>();

	private final int maxInFlight;

	/**
	 * Create reads to share.
	 * @param maxInFlight the most keys whose reads are shared at once
	 */
	SharedReads(int maxInFlight) {
		this.maxInFlight = maxInFlight;
	}

	/**
	 * Answer a look-up from the read of its key that is in flight, or start that read.
	 * @param key what is looked up
	 * @param read starts a read of the key, if none is in flight
	 * @return the read's answer
	 */
	Mono<T> read(String key, Supplier<Mono<T>> read) {
		return Mono.defer(() -> {
			Sinks.One<T> shared = this.inFlight.get(key);
			if (shared != null) {
				return shared.asMono();
			}
			if (this.inFlight.size() >= this.maxInFlight) {
				return read.get();
			}
			Sinks.One<T> started = Sinks.one();
			shared = this.inFlight.putIfAbsent(key, started);
			if (shared != null) {
				return shared.asMono();
			}
			// subscribed here, not by the first caller: its cancellation must not cancel
			// the read that the others wait for. Forgotten before its answer is emitted,
			// so that a look-up that sees the answer and looks up again reads afresh (or
			// finds what the caller kept).
			Mono.defer(read).subscribe((value) -> {
				this.inFlight.remove(key, started);
				started.tryEmitValue(value);
			}, (ex) -> {
				this.inFlight.remove(key, started);
				started.tryEmitError(ex);
			}, () -> {
				this.inFlight.remove(key, started);
				started.tryEmitEmpty();
			});
			return started.asMono();
		});
	}

	/**
	 * Return how many keys have a read in flight.
	 * @return the count
	 */
	int inFlight() {
		return this.inFlight.size();
	}

}
