package io.swaggersocket.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of exchanges in both directions at once over one in-memory connection, with
 * random body sizes, cancels and resets: every body arrives intact or the exchange fails
 * as a reset, and afterwards no stream is left open and the credit is back.
 */
class DuplexStressTests {

	private static final int EXCHANGES_PER_SIDE = Integer.getInteger("swaggersocket.duplex.exchanges", 1000);

	private static final int CONCURRENCY = 64;

	private static final Duration BOUND = Duration.ofSeconds(60);

	/**
	 * {@code /echo} reads the request body, then sends it back; {@code /fail} sends one
	 * chunk of it and then fails, which resets the stream with INTERNAL_ERROR.
	 *
	 * <p>
	 * The echo reads the whole body first on purpose: a handler that reads only as fast
	 * as its response goes out, serving streams in both directions at once, can fill both
	 * connection windows with bytes that wait for the other window, as in HTTP/2. That
	 * deadlock belongs to such an application, not to the connection.
	 */
	private static final SwaggerSocketStreamHandler HANDLER = (connection, request, responder) -> {
		if ("/fail".equals(Header.pseudo(request.headers(), Header.PATH))) {
			return responder.respond(TestConnectionPair.OK,
					request.body().take(1).concatWith(Mono.error(new IllegalStateException("Failing on purpose"))));
		}
		return DataBufferUtils.join(request.body())
			.map(Flux::just)
			.defaultIfEmpty(Flux.empty())
			.flatMap((body) -> responder.respond(TestConnectionPair.OK, body));
	};

	@Test
	void exchangesFromBothSidesWithRandomSizesCancelsAndResetsLeaveNothingBehind() {
		long seed = Long.getLong("swaggersocket.duplex.seed", System.nanoTime());
		ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
		Outcomes outcomes = new Outcomes();
		try (TestConnectionPair pair = TestConnectionPair.connect(HANDLER, HANDLER)) {
			Flux<Void> fromClient = exchanges(pair.client(), new Random(seed), outcomes, unexpected);
			Flux<Void> fromServer = exchanges(pair.server(), new Random(seed + 1), outcomes, unexpected);
			Boolean done = Flux.merge(fromClient, fromServer)
				.then(Mono.just(true))
				.timeout(BOUND, Mono.just(false))
				.block();
			assertThat(done)
				.as("all exchanges settled within %s (seed %d): %s; streams open: client %d, server %d; "
						+ "messages on the wire: to client %d, to server %d", BOUND, seed, outcomes,
						pair.client().activeStreams(), pair.server().activeStreams(), pair.sessions.client().inFlight(),
						pair.sessions.server().inFlight())
				.isTrue();

			assertThat(unexpected).as("unexpected outcomes, seed " + seed).isEmpty();
			assertThat(outcomes.total()).isEqualTo(2 * EXCHANGES_PER_SIDE);
			assertThat(outcomes.intact.get()).as("intact exchanges").isGreaterThan(EXCHANGES_PER_SIDE);
			assertThat(outcomes.reset.get()).as("reset exchanges").isPositive();
			pair.awaitQuiet();
			assertThat(pair.client().isOpen()).isTrue();
			assertThat(pair.server().isOpen()).isTrue();

			// credit: never more DATA than granted, and all of it back but what a
			// receiver still batches (less than half its connection window)
			List<TestDuplexSessions.Sent> log = pair.sessions.log();
			int window = ConnectionSettings.DEFAULTS.connectionWindow();
			assertConnectionCredit(log, true, window);
			assertConnectionCredit(log, false, window);
			long clientOwes = TestConnectionPair.dataBytes(pair.sessions.client().sent(), 0)
					- TestConnectionPair.granted(pair.sessions.server().sent(), 0);
			long serverOwes = TestConnectionPair.dataBytes(pair.sessions.server().sent(), 0)
					- TestConnectionPair.granted(pair.sessions.client().sent(), 0);
			assertThat(clientOwes).as("client's bytes not yet granted back").isBetween(0L, window / 2L - 1);
			assertThat(serverOwes).as("server's bytes not yet granted back").isBetween(0L, window / 2L - 1);
		}
	}

	private static Flux<Void> exchanges(SwaggerSocketConnection connection, Random random, Outcomes outcomes,
			ConcurrentLinkedQueue<String> unexpected) {
		List<Call> calls = new ArrayList<>();
		for (int i = 0; i < EXCHANGES_PER_SIDE; i++) {
			byte[] bytes = new byte[size(random)];
			random.nextBytes(bytes);
			boolean fail = random.nextInt(20) == 0;
			long cancelAfterMicros = (random.nextInt(10) == 0) ? random.nextInt(3000) : -1;
			calls.add(new Call(bytes, 1 + random.nextInt(16 * 1024), fail, cancelAfterMicros));
		}
		return Flux.fromIterable(calls)
			.flatMap((call) -> call.run(connection, outcomes, unexpected), CONCURRENCY)
			.subscribeOn(Schedulers.parallel());
	}

	/** Mostly small bodies, some of a few frames, a few over a stream window. */
	private static int size(Random random) {
		int kind = random.nextInt(100);
		if (kind < 60) {
			return random.nextInt(2048);
		}
		if (kind < 95) {
			return random.nextInt(64 * 1024);
		}
		return random.nextInt(512 * 1024);
	}

	private static void assertConnectionCredit(List<TestDuplexSessions.Sent> log, boolean fromClient, long window) {
		long sent = 0;
		long credit = window;
		for (TestDuplexSessions.Sent entry : log) {
			Frame frame = entry.frame();
			if (entry.fromClient() == fromClient && frame instanceof Frame.Data data) {
				sent += data.data().remaining();
				assertThat(sent)
					.as("DATA bytes sent by the %s against the credit granted", fromClient ? "client" : "server")
					.isLessThanOrEqualTo(credit);
			}
			if (entry.fromClient() != fromClient && frame instanceof Frame.WindowUpdate update
					&& update.streamId() == 0) {
				credit += update.increment();
			}
		}
	}

	private static long crc(byte[] bytes) {
		CRC32 crc = new CRC32();
		crc.update(bytes);
		return crc.getValue();
	}

	private record Call(byte[] bytes, int chunk, boolean fail, long cancelAfterMicros) {

		Mono<Void> run(SwaggerSocketConnection connection, Outcomes outcomes,
				ConcurrentLinkedQueue<String> unexpected) {
			Sinks.Empty<Void> settled = Sinks.empty();
			CRC32 received = new CRC32();
			AtomicInteger length = new AtomicInteger();
			Disposable call = connection
				.exchange(TestConnectionPair.request("POST", this.fail ? "/fail" : "/echo"),
						TestConnectionPair.body(this.bytes, this.chunk))
				.flatMapMany(StreamMessage::body)
				.doOnNext((buffer) -> {
					byte[] chunk = new byte[buffer.readableByteCount()];
					buffer.read(chunk);
					received.update(chunk);
					length.addAndGet(chunk.length);
				})
				.map(TestConnectionPair::releasedLength)
				.doOnCancel(() -> {
					outcomes.cancelled.incrementAndGet();
					settled.tryEmitEmpty();
				})
				.subscribe(null, (ex) -> {
					if (ex instanceof SwaggerSocketStreamResetException) {
						outcomes.reset.incrementAndGet();
					}
					else {
						unexpected.add(ex.toString());
					}
					settled.tryEmitEmpty();
				}, () -> {
					if (this.fail) {
						unexpected.add("a failing exchange completed");
					}
					else if (length.get() != this.bytes.length || received.getValue() != crc(this.bytes)) {
						unexpected.add("body of " + this.bytes.length + " bytes came back as " + length.get()
								+ " bytes, checksum " + received.getValue() + " instead of " + crc(this.bytes));
					}
					else {
						outcomes.intact.incrementAndGet();
					}
					settled.tryEmitEmpty();
				});
			if (this.cancelAfterMicros >= 0) {
				Schedulers.parallel().schedule(() -> {
					if (!call.isDisposed()) {
						call.dispose();
					}
					// a call that had already ended is not cancelled
					settled.tryEmitEmpty();
				}, this.cancelAfterMicros, TimeUnit.MICROSECONDS);
			}
			return settled.asMono();
		}

	}

	private static final class Outcomes {

		final AtomicInteger intact = new AtomicInteger();

		final AtomicInteger reset = new AtomicInteger();

		final AtomicInteger cancelled = new AtomicInteger();

		@Override
		public String toString() {
			return this.intact + " intact, " + this.reset + " reset, " + this.cancelled + " cancelled";
		}

		int total() {
			return this.intact.get() + this.reset.get() + this.cancelled.get();
		}

	}

}
