package io.swaggersocket.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credit accounting (docs/PROTOCOL.md section 7) as it shows on the wire: DATA never
 * exceeds the credit granted, credit comes back as bodies are consumed or discarded, and
 * streams share the connection window.
 */
class DuplexFlowControlTests {

	private static final ConnectionSettings SETTINGS = ConnectionSettings.DEFAULTS;

	private static final int STREAM_WINDOW = SETTINGS.initialStreamWindow();

	private static final int CONNECTION_WINDOW = SETTINGS.connectionWindow();

	/**
	 * The bodies of the streams on {@code /hold}: subscribed, nothing requested until the
	 * test says so.
	 */
	private final Map<String, HeldBody> held = new ConcurrentHashMap<>();

	/**
	 * {@code /hold/NAME}: subscribes to the request body and reads nothing until the test
	 * requests it, then answers 200 with the number of bytes read; {@code /ping}: 200 at
	 * once.
	 */
	private final SwaggerSocketStreamHandler handler = (connection, request, responder) -> {
		String path = Header.pseudo(request.headers(), Header.PATH);
		if (path != null && path.startsWith("/hold/")) {
			HeldBody body = new HeldBody();
			this.held.put(path.substring("/hold/".length()), body);
			request.body().subscribe(body);
			// a handler cancelled (its stream reset) stops reading, as a WebFlux
			// handler's
			// body subscription does
			return body.read.asMono()
				.doOnCancel(body::dispose)
				.flatMap((read) -> responder.respond(TestConnectionPair.OK,
						TestConnectionPair.body(String.valueOf(read))));
		}
		return request.body()
			.doOnNext(DataBufferUtils::release)
			.then(responder.respond(TestConnectionPair.OK, Flux.empty()));
	};

	@Test
	void senderStopsAtExactlyTheStreamWindowWhenTheReceiverDoesNotRead() {
		try (TestConnectionPair pair = TestConnectionPair.connect(this.handler, TestConnectionPair.none())) {
			Disposable upload = pair.client()
				.exchange(TestConnectionPair.request("POST", "/hold/a"),
						TestConnectionPair.body(new byte[1024 * 1024], 8192))
				.subscribe(null, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1) == STREAM_WINDOW);
			barrier(pair);
			assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1)).isEqualTo(STREAM_WINDOW);
			assertThat(pair.sessions.server().sent(Frame.Reset.class)).isEmpty();
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 1)).isZero();
			upload.dispose();
		}
	}

	@Test
	void aStreamWaitingForCreditReadsItsBodyAheadByFourFrames() {
		// a body in the 8 KiB pieces of a server's HTTP decoder: read ahead by a single
		// frame, the stream would take turns with the writer (docs/benchmarks.md)
		AtomicLong produced = new AtomicLong();
		Flux<DataBuffer> upload = TestConnectionPair.body(new byte[4 * 1024 * 1024], 8192)
			.doOnNext((buffer) -> produced.addAndGet(buffer.readableByteCount()));
		try (TestConnectionPair pair = TestConnectionPair.connect(this.handler, TestConnectionPair.none())) {
			Disposable request = pair.client()
				.exchange(TestConnectionPair.request("POST", "/hold/a"), upload)
				.subscribe(null, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1) == STREAM_WINDOW);
			// what credit let out, and four frames read ahead in whole pieces
			long expected = STREAM_WINDOW + 4L * OutboundFlowController.MAX_DATA_FRAME;
			TestConnectionPair.eventually().untilAsserted(() -> assertThat(produced.get()).isEqualTo(expected));
			barrier(pair);
			// and no more
			assertThat(produced.get()).isEqualTo(expected);
			assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1)).isEqualTo(STREAM_WINDOW);
			request.dispose();
		}
	}

	@Test
	void sendersStopAtExactlyTheConnectionWindowAcrossStreams() {
		int streams = CONNECTION_WINDOW / STREAM_WINDOW + 2;
		try (TestConnectionPair pair = TestConnectionPair.connect(this.handler, TestConnectionPair.none())) {
			List<Disposable> uploads = new ArrayList<>();
			for (int i = 0; i < streams; i++) {
				uploads.add(pair.client()
					.exchange(TestConnectionPair.request("POST", "/hold/" + i),
							TestConnectionPair.body(new byte[STREAM_WINDOW * 2], 8192))
					.subscribe(null, DuplexFlowControlTests::ignore));
			}
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 0) == CONNECTION_WINDOW);
			barrier(pair);
			List<Frame> sent = pair.sessions.client().sent();
			assertThat(TestConnectionPair.dataBytes(sent, 0)).isEqualTo(CONNECTION_WINDOW);
			for (int i = 0; i < streams; i++) {
				assertThat(TestConnectionPair.dataBytes(sent, 2 * i + 1)).isLessThanOrEqualTo(STREAM_WINDOW);
			}
			assertThat(pair.sessions.server().sent(Frame.Reset.class)).isEmpty();
			uploads.forEach(Disposable::dispose);
		}
	}

	@Test
	void creditReturnsAsTheBodyIsConsumed() {
		int size = 3 * CONNECTION_WINDOW;
		try (TestConnectionPair pair = TestConnectionPair.connect(this.handler, TestConnectionPair.none())) {
			AtomicReference<@Nullable String> answer = new AtomicReference<>();
			pair.client()
				.exchange(TestConnectionPair.request("POST", "/hold/a"), TestConnectionPair.body(new byte[size], 8192))
				.flatMap((response) -> TestConnectionPair.text(response.body()))
				.subscribe(answer::set, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1) == STREAM_WINDOW);
			// the client may fill the window before the handler holds the body
			TestConnectionPair.eventually().until(() -> this.held.containsKey("a"));
			HeldBody body = this.held.get("a");
			// a few buffers at a time: the sender gets more only as they are consumed
			while (answer.get() == null) {
				long consumed = body.consumed();
				body.request(32);
				TestConnectionPair.eventually().until(() -> body.consumed() > consumed || answer.get() != null);
				List<TestDuplexSessions.Sent> log = pair.sessions.log();
				assertCreditRespected(log, 1, STREAM_WINDOW);
				assertCreditRespected(log, 0, CONNECTION_WINDOW);
				assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1))
					.isLessThanOrEqualTo(body.consumed() + STREAM_WINDOW);
			}
			assertThat(answer.get()).isEqualTo(String.valueOf(size));
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 1)).isPositive();
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 0))
				.isGreaterThanOrEqualTo(size - CONNECTION_WINDOW);
			pair.awaitQuiet();
		}
	}

	@Test
	void unreadBodyOfAFinishedHandlerIsDiscardedAndItsCreditReturned() {
		int size = 3 * CONNECTION_WINDOW;
		SwaggerSocketStreamHandler early = (connection, request, responder) -> responder.respond(TestConnectionPair.OK,
				Flux.empty());
		try (TestConnectionPair pair = TestConnectionPair.connect(early, TestConnectionPair.none())) {
			// more than the connection window: the upload ends only if the discarded
			// bytes
			// come back as credit
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body(new byte[size], 8192)))
				.expectNextCount(1)
				.verifyComplete();
			pair.awaitQuiet();
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1) == size);
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 0))
				.isGreaterThanOrEqualTo(size - CONNECTION_WINDOW / 2);
			assertCreditRespected(pair.sessions.log(), 0, CONNECTION_WINDOW);
		}
	}

	@Test
	void cancellingAStreamReturnsTheConnectionCreditItHeldToTheOthers() {
		int holders = CONNECTION_WINDOW / STREAM_WINDOW;
		try (TestConnectionPair pair = TestConnectionPair.connect(this.handler, TestConnectionPair.none())) {
			List<Disposable> uploads = new ArrayList<>();
			for (int i = 0; i < holders; i++) {
				uploads.add(pair.client()
					.exchange(TestConnectionPair.request("POST", "/hold/" + i),
							TestConnectionPair.body(new byte[STREAM_WINDOW], 8192))
					.subscribe(null, DuplexFlowControlTests::ignore));
			}
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 0) == CONNECTION_WINDOW);
			// the connection window is used up: a new stream opens, its body waits
			AtomicReference<@Nullable String> answer = new AtomicReference<>();
			int waiting = 2 * holders + 1;
			pair.client()
				.exchange(TestConnectionPair.request("POST", "/hold/waiting"),
						TestConnectionPair.body(new byte[100_000], 8192))
				.flatMap((response) -> TestConnectionPair.text(response.body()))
				.subscribe(answer::set, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually().until(() -> this.held.containsKey("waiting"));
			this.held.get("waiting").request(Long.MAX_VALUE);
			barrier(pair);
			assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), waiting)).isZero();
			uploads.get(0).dispose();
			TestConnectionPair.eventually().until(() -> answer.get() != null);
			assertThat(answer.get()).isEqualTo("100000");
			// what stream 1 held was returned at once, being discarded
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 0))
				.isGreaterThanOrEqualTo(STREAM_WINDOW);
			assertCreditRespected(pair.sessions.log(), 0, CONNECTION_WINDOW);
			uploads.forEach(Disposable::dispose);
		}
	}

	@Test
	void peerThatDoesNotReadHoldsTheSenderAtTheWireAndItsQueueWhateverItsWindows() {
		// windows so large that only the transport can stop the sender
		ConnectionSettings huge = new ConnectionSettings(64 * 1024, 16 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE,
				256);
		int frame = 64 * 1024;
		int frames = 512;
		AtomicLong produced = new AtomicLong();
		Flux<DataBuffer> upload = Flux.range(0, frames).map((i) -> {
			produced.addAndGet(frame);
			return TestConnectionPair.chunk(frame);
		});
		try (TestConnectionPair pair = TestConnectionPair.connect(huge, this.handler, SETTINGS,
				TestConnectionPair.none())) {
			pair.sessions.server().pause();
			AtomicReference<@Nullable String> answer = new AtomicReference<>();
			pair.client()
				.exchange(TestConnectionPair.request("POST", "/read"), upload)
				.flatMap((response) -> TestConnectionPair.text(response.body()))
				.subscribe(answer::set, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> pair.sessions.server().inFlight() == TestDuplexSessions.WIRE_CAPACITY);
			// docs/PROTOCOL.md section 7, "Memory": the wire, the writer's queue (and the
			// frame that passes its limit), and the stream's read-ahead (and one buffer)
			long bound = (long) TestDuplexSessions.WIRE_CAPACITY * frame + SessionFrameWriter.MAX_QUEUED_BYTES + frame
					+ OutboundBody.READ_AHEAD + frame;
			assertThat(produced.get()).isLessThanOrEqualTo(bound).isLessThan((long) frames * frame);
			pair.sessions.server().resume();
			TestConnectionPair.eventually().until(() -> answer.get() != null);
			assertThat(pair.sessions.client().sent(Frame.Data.class)).hasSizeGreaterThanOrEqualTo(frames);
			assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1)).isEqualTo((long) frames * frame);
		}
	}

	@Test
	void aBodyReadInSmallBuffersGoesOutInFramesAsLargeAsATurnAllows() {
		// 24 KiB pieces: a frame joins two and a slice of the third
		int piece = 24 * 1024;
		byte[] bytes = new byte[1024 * 1024];
		new Random(7).nextBytes(bytes);
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			byte[] echoed = pair.client()
				.exchange(TestConnectionPair.request("POST", "/echo"), TestConnectionPair.body(bytes, piece))
				.flatMap((response) -> TestConnectionPair.bytes(response.body()))
				.block(Duration.ofSeconds(30));
			assertThat(echoed).isEqualTo(bytes);
			List<Integer> frames = pair.sessions.client()
				.sent(Frame.Data.class)
				.stream()
				.filter((data) -> data.streamId() == 1 && data.data().hasRemaining())
				.map((data) -> data.data().remaining())
				.toList();
			assertThat(frames.stream().mapToInt(Integer::intValue).sum()).isEqualTo(bytes.length);
			assertThat(frames).allMatch((size) -> size <= OutboundFlowController.MAX_DATA_FRAME)
				.contains(OutboundFlowController.MAX_DATA_FRAME)
				.hasSizeLessThan((bytes.length / piece) / 2);
		}
	}

	/**
	 * A round trip on a stream of its own: frames the client sent before it have reached
	 * the server, and what the server sent in reaction is on its way.
	 */
	@Test
	void bodiesPastADeclaredWindowsAllowanceArriveWholeBothWays() {
		// declared windows above the default, which grow: each stream's first 4 MiB is an
		// allowance, after which the receivers keep back the credit beyond what they keep
		// out (PROTOCOL.md section 7)
		ConnectionSettings large = new ConnectionSettings(64 * 1024, 16 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024, 100);
		byte[] bytes = new byte[12 * 1024 * 1024];
		new Random(7).nextBytes(bytes);
		try (TestConnectionPair pair = TestConnectionPair.connect(large, TestConnectionPair.echo(), large,
				TestConnectionPair.none(), 64 * 1024 * 1024)) {
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/echo"), TestConnectionPair.body(bytes, 8192))
					.flatMap((response) -> TestConnectionPair.bytes(response.body())))
				.assertNext((echoed) -> assertThat(echoed).isEqualTo(bytes))
				.expectComplete()
				.verify(TestConnectionPair.TIMEOUT);
			List<TestDuplexSessions.Sent> log = pair.sessions.log();
			assertCreditRespected(log, 1, large.initialStreamWindow());
			assertCreditRespected(log, 0, large.connectionWindow());
			// the server kept back part of the request stream's credit
			assertThat(TestConnectionPair.granted(pair.sessions.server().sent(), 1))
				.isLessThan(bytes.length - large.initialStreamWindow() / 2);
			pair.awaitQuiet();
		}
	}

	static void barrier(TestConnectionPair pair) {
		StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/ping"), Flux.empty()))
			.expectNextCount(1)
			.expectComplete()
			.verify(TestConnectionPair.TIMEOUT);
	}

	/**
	 * Check, frame by frame, that the client never sent more DATA on a stream (or on all,
	 * 0) than the window plus the credit the server had granted before it. The log orders
	 * the frames as the wire took them, so a WINDOW_UPDATE counts from the moment it was
	 * sent, before the client could have seen it: the check can only be too lenient,
	 * never too strict.
	 */
	static void assertCreditRespected(List<TestDuplexSessions.Sent> log, int streamId, long window) {
		long sent = 0;
		long credit = window;
		for (TestDuplexSessions.Sent entry : log) {
			Frame frame = entry.frame();
			if (entry.fromClient() && frame instanceof Frame.Data data
					&& (streamId == 0 || data.streamId() == streamId)) {
				sent += data.data().remaining();
				assertThat(sent).as("DATA bytes sent on stream %d against the credit granted", streamId)
					.isLessThanOrEqualTo(credit);
			}
			if (!entry.fromClient() && frame instanceof Frame.WindowUpdate update && update.streamId() == streamId) {
				credit += update.increment();
			}
		}
	}

	static void ignore(Throwable ex) {
		// the connection ends with the test, and the calls still open fail with it
	}

	/**
	 * A body subscriber that reads only as the test requests.
	 */
	static final class HeldBody extends BaseSubscriber<DataBuffer> {

		final Sinks.One<Long> read = Sinks.one();

		private final AtomicLong consumed = new AtomicLong();

		long consumed() {
			return this.consumed.get();
		}

		@Override
		protected void hookOnSubscribe(Subscription subscription) {
		}

		@Override
		protected void hookOnNext(DataBuffer buffer) {
			this.consumed.addAndGet(buffer.readableByteCount());
			DataBufferUtils.release(buffer);
		}

		@Override
		protected void hookOnComplete() {
			this.read.tryEmitValue(this.consumed.get());
		}

		@Override
		protected void hookOnError(Throwable throwable) {
			this.read.tryEmitError(throwable);
		}

	}

}
