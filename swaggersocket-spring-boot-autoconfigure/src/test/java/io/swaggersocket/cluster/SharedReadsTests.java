package io.swaggersocket.cluster;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads shared by concurrent look-ups of one key: one read while it is in flight, none
 * kept once it ends, a cancelled look-up leaves the read to the others, a failed read is
 * not kept, and the keys in flight are bounded.
 */
class SharedReadsTests {

	private final SharedReads<String> reads = new SharedReads<>(2);

	private final AtomicInteger started = new AtomicInteger();

	private Sinks.One<String> answer = Sinks.one();

	@Test
	void lookUpsOfAKeyWhileItsReadIsInFlightShareIt() {
		Mono<String> first = this.reads.read("x", this::read).cache();
		Mono<String> second = this.reads.read("x", this::read).cache();
		first.subscribe();
		second.subscribe();
		this.reads.read("y", this::read).subscribe();

		this.answer.tryEmitValue("found");

		assertThat(first.block()).isEqualTo("found");
		assertThat(second.block()).isEqualTo("found");
		assertThat(this.started).hasValue(2);
	}

	@Test
	void aReadIsForgottenWhenItEndsSoTheNextLookUpReadsAgain() {
		Mono<String> first = this.reads.read("x", this::read).cache();
		first.subscribe();
		this.answer.tryEmitEmpty();
		StepVerifier.create(first).verifyComplete();
		assertThat(this.reads.inFlight()).isZero();

		this.answer = Sinks.one();
		Mono<String> again = this.reads.read("x", this::read).cache();
		again.subscribe();
		this.answer.tryEmitValue("found");

		assertThat(again.block()).isEqualTo("found");
		assertThat(this.started).hasValue(2);
	}

	@Test
	void aCancelledLookUpDoesNotCancelTheReadOthersWaitFor() {
		AtomicInteger cancelled = new AtomicInteger();
		Disposable gone = this.reads.read("x", () -> read().doOnCancel(cancelled::incrementAndGet)).subscribe();
		Mono<String> waiting = this.reads.read("x", this::read).cache();
		waiting.subscribe();

		gone.dispose();
		this.answer.tryEmitValue("found");

		assertThat(waiting.block()).isEqualTo("found");
		assertThat(cancelled).hasValue(0);
		assertThat(this.started).hasValue(1);
	}

	@Test
	void aFailedReadFailsTheLookUpsThatWaitedAndIsNotKept() {
		Mono<String> first = this.reads.read("x", this::read).cache();
		Mono<String> second = this.reads.read("x", this::read).cache();
		first.subscribe(null, (ex) -> {
		});
		second.subscribe(null, (ex) -> {
		});

		this.answer.tryEmitError(new IOException("Connection refused"));

		StepVerifier.create(first).verifyErrorMessage("Connection refused");
		StepVerifier.create(second).verifyErrorMessage("Connection refused");
		assertThat(this.reads.inFlight()).isZero();
		this.answer = Sinks.one();
		this.answer.tryEmitValue("found");
		assertThat(this.reads.read("x", this::read).block()).isEqualTo("found");
		assertThat(this.started).hasValue(2);
	}

	@Test
	void beyondTheBoundALookUpReadsOnItsOwnAndNothingIsAdded() {
		this.reads.read("a", this::read).subscribe();
		this.reads.read("b", this::read).subscribe();
		this.reads.read("c", this::read).subscribe();
		this.reads.read("c", this::read).subscribe();

		assertThat(this.reads.inFlight()).isEqualTo(2);
		assertThat(this.started).hasValue(4);
	}

	private Mono<String> read() {
		return Mono.defer(() -> {
			this.started.incrementAndGet();
			return this.answer.asMono();
		});
	}

}
