package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reset, go-away and connection-loss races between two connections in memory, made
 * deterministic by holding one direction of the wire.
 */
class DuplexRaceTests {

	@Test
	void callerCancellingWhileTheResponseArrivesLeavesNoStreamBehind() throws InterruptedException {
		Random random = new Random(42);
		int calls = 300;
		ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
		AtomicInteger answered = new AtomicInteger();
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			CountDownLatch settled = new CountDownLatch(calls);
			for (int i = 0; i < calls; i++) {
				byte[] bytes = new byte[random.nextInt(20_000)];
				Disposable call = pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body(bytes, 4096))
					.flatMap((response) -> TestConnectionPair.bytes(response.body()))
					.doFinally((signal) -> settled.countDown())
					.subscribe((echoed) -> {
						if (echoed.length == bytes.length) {
							answered.incrementAndGet();
						}
						else {
							unexpected.add(new AssertionError("echoed " + echoed.length + " of " + bytes.length));
						}
					}, (ex) -> {
						if (!(ex instanceof SwaggerSocketStreamResetException)) {
							unexpected.add(ex);
						}
					});
				// the cancel races the response: sometimes before, sometimes during,
				// sometimes after
				Schedulers.parallel().schedule(call::dispose, random.nextInt(2000), TimeUnit.MICROSECONDS);
			}
			assertThat(settled.await(TestConnectionPair.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			assertThat(unexpected).isEmpty();
			pair.awaitQuiet();
			assertThat(pair.client().isOpen()).isTrue();
			assertThat(pair.server().isOpen()).isTrue();
			assertThat(pair.sessions.server().sent(Frame.Reset.class)).isEmpty();
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body("still fine"))
					.flatMap((response) -> TestConnectionPair.text(response.body())))
				.expectNext("still fine")
				.verifyComplete();
		}
	}

	@Test
	void cancelCrossingTheResponsesEndStreamIsIgnoredOnBothSides() {
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			// the response is sent in full but held on its way to the client
			pair.sessions.client().pause();
			Disposable call = pair.client()
				.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body("crossing"))
				.subscribe(null, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.server().sent(), 1).contains("DATA+END"));
			TestConnectionPair.eventually().until(() -> pair.server().activeStreams() == 0);
			call.dispose();
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.client().sent(), 1).contains("RESET CANCEL"));
			pair.sessions.client().resume();
			pair.awaitQuiet();
			// the server's stream was closed: the RESET is not answered; the client's was
			// closed: the response is discarded and its credit returned at once
			// (the echoed body's last chunk and its end go out together or one after the
			// other, as the body's completion meets the writer)
			assertThat(String.join(" ", TestConnectionPair.shapes(pair.sessions.server().sent(), 1)))
				.matches("HEADERS( DATA)? DATA\\+END");
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.granted(pair.sessions.client().sent(), 0) >= "crossing".length());
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body("next"))
					.flatMap((response) -> TestConnectionPair.text(response.body())))
				.expectNext("next")
				.verifyComplete();
			assertThat(pair.client().isOpen()).isTrue();
		}
	}

	@Test
	void resetCrossingTheRequestsEndStreamIsNotAnswered() {
		Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
		Sinks.Empty<Void> resetNow = Sinks.empty();
		SwaggerSocketStreamHandler resetting = (connection, request, responder) -> resetNow.asMono()
			.then(Mono.fromRunnable(() -> responder.reset(ErrorCode.INTERNAL_ERROR)))
			.then(Mono.never());
		try (TestConnectionPair pair = TestConnectionPair.connect(resetting, TestConnectionPair.none())) {
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("POST", "/"), upload.asFlux()))
				.then(() -> TestConnectionPair.eventually().until(() -> pair.server().activeStreams() == 1))
				.then(() -> {
					// the request's end is held on its way to the server while the server
					// resets
					pair.sessions.server().pause();
					upload.tryEmitNext(TestConnectionPair.chunk(500));
					upload.tryEmitComplete();
					TestConnectionPair.eventually()
						.until(() -> TestConnectionPair.shapes(pair.sessions.client().sent(), 1).contains("DATA+END"));
					resetNow.tryEmitEmpty();
				})
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(SwaggerSocketStreamResetException.class))
				.verify(TestConnectionPair.TIMEOUT);
			pair.sessions.server().resume();
			pair.awaitQuiet();
			// the DATA in flight is discarded, its credit returned, nothing answered
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.granted(pair.sessions.server().sent(), 0) >= 500);
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1))
				.containsExactly("RESET INTERNAL_ERROR");
			// the last chunk and the end go out together or one after the other, as the
			// body's completion meets the writer
			assertThat(String.join(" ", TestConnectionPair.shapes(pair.sessions.client().sent(), 1)))
				.matches("HEADERS( DATA)? DATA\\+END");
			assertThat(pair.server().isOpen()).isTrue();
		}
	}

	@Test
	void goAwayWhileStreamsAreOpeningRefusesThoseAboveTheLastStreamIdAndCompletesTheOthers() {
		Sinks.Empty<Void> release = Sinks.empty();
		SwaggerSocketStreamHandler held = (connection, request, responder) -> release.asMono()
			.then(responder.respond(TestConnectionPair.OK,
					TestConnectionPair.body(Header.pseudo(request.headers(), Header.PATH))));
		try (TestConnectionPair pair = TestConnectionPair.connect(held, TestConnectionPair.none())) {
			List<Mono<String>> processed = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				processed.add(call(pair, "/" + i));
			}
			TestConnectionPair.eventually().until(() -> pair.server().activeStreams() == 3);
			// two more are on their way to the server when it goes away
			pair.sessions.server().pause();
			List<Mono<String>> inFlight = List.of(call(pair, "/3"), call(pair, "/4"));
			TestConnectionPair.eventually().until(() -> pair.sessions.client().sent(Frame.Headers.class).size() == 5);
			pair.server().close(TestConnectionPair.TIMEOUT).subscribe();
			TestConnectionPair.eventually().until(() -> !pair.sessions.server().sent(Frame.GoAway.class).isEmpty());
			assertThat(pair.sessions.server().sent(Frame.GoAway.class).get(0).lastStreamId()).isEqualTo(5);
			for (Mono<String> refused : inFlight) {
				StepVerifier.create(refused)
					.expectError(SwaggerSocketStreamRefusedException.class)
					.verify(TestConnectionPair.TIMEOUT);
			}
			// and no new stream opens on it
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/5"), Flux.empty()))
				.expectError(SwaggerSocketStreamRefusedException.class)
				.verify(TestConnectionPair.TIMEOUT);
			pair.sessions.server().resume();
			// what was in flight reaches the server after its GOAWAY: refused
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.server().sent(), 7)
					.contains("RESET REFUSED_STREAM")
						&& TestConnectionPair.shapes(pair.sessions.server().sent(), 9)
							.contains("RESET REFUSED_STREAM"));
			release.tryEmitEmpty();
			for (int i = 0; i < 3; i++) {
				StepVerifier.create(processed.get(i))
					.expectNext("/" + i)
					.expectComplete()
					.verify(TestConnectionPair.TIMEOUT);
			}
			// drained: the server closes with 1000
			TestConnectionPair.eventually()
				.until(() -> pair.clientEvents.stream()
					.anyMatch((event) -> event instanceof SwaggerSocketClosedEvent closed
							&& closed.getCloseCode() == CloseCodes.NORMAL && !closed.isClosedLocally()));
			assertThat(pair.client().isOpen()).isFalse();
		}
	}

	@Test
	void connectionDropWithStreamsInEveryStateFailsEveryCallerAtOnce() {
		ConnectionSettings twoStreams = new ConnectionSettings(64 * 1024, 16 * 1024, 256 * 1024, 1024 * 1024, 4);
		AtomicInteger handlersCancelled = new AtomicInteger();
		Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
		SwaggerSocketStreamHandler handler = (connection, request, responder) -> {
			String path = Header.pseudo(request.headers(), Header.PATH);
			Mono<Void> handling = switch (String.valueOf(path)) {
				// a response body that has begun and does not end
				case "/streaming" -> responder.respond(TestConnectionPair.OK,
						Flux.concat(Flux.just(TestConnectionPair.chunk(100)), Flux.never()));
				// response headers at once, body later
				case "/headers" -> responder.respond(TestConnectionPair.OK, Flux.never());
				default -> request.body().doOnNext(DataBufferUtils::release).then(Mono.never());
			};
			return handling.doOnCancel(handlersCancelled::incrementAndGet);
		};
		SwaggerSocketStreamHandler clientHandler = (connection, request, responder) -> Mono.<Void>never()
			.doOnCancel(handlersCancelled::incrementAndGet);
		try (TestConnectionPair pair = TestConnectionPair.connect(twoStreams, handler, ConnectionSettings.DEFAULTS,
				clientHandler)) {
			// open, the request body still being sent
			Mono<StreamMessage> uploading = pair.client()
				.exchange(TestConnectionPair.request("POST", "/upload"), upload.asFlux())
				.cache();
			uploading.subscribe(null, DuplexFlowControlTests::ignore);
			upload.tryEmitNext(TestConnectionPair.chunk(1000));
			// half-closed (local): the request sent, no response yet
			Mono<StreamMessage> awaiting = pair.client()
				.exchange(TestConnectionPair.request("GET", "/wait"), Flux.empty())
				.cache();
			awaiting.subscribe(null, DuplexFlowControlTests::ignore);
			// the response body being received
			Flux<Integer> receiving = pair.client()
				.exchange(TestConnectionPair.request("GET", "/streaming"), Flux.empty())
				.flatMapMany(StreamMessage::body)
				.map(TestConnectionPair::releasedLength)
				.cache();
			receiving.subscribe(null, DuplexFlowControlTests::ignore);
			// the response headers received, no body yet
			Flux<DataBuffer> headed = pair.client()
				.exchange(TestConnectionPair.request("GET", "/headers"), Flux.empty())
				.flatMapMany(StreamMessage::body)
				.cache();
			headed.subscribe(null, DuplexFlowControlTests::ignore);
			// over the server's maxConcurrentStreams: waiting to open
			Mono<StreamMessage> pending = pair.client()
				.exchange(TestConnectionPair.request("GET", "/pending"), Flux.empty())
				.cache();
			pending.subscribe(null, DuplexFlowControlTests::ignore);
			// a stream the server opened
			Mono<StreamMessage> reverse = pair.server()
				.exchange(TestConnectionPair.request("GET", "/reverse"), Flux.empty())
				.cache();
			reverse.subscribe(null, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> pair.server().activeStreams() == 5 && pair.client().activeStreams() == 5);
			StepVerifier.create(receiving.take(1)).expectNext(100).verifyComplete();
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.server().sent(), 7).contains("HEADERS"));

			pair.sessions.drop();

			for (Mono<?> call : List.of(uploading, awaiting, reverse)) {
				StepVerifier.create(call)
					.expectError(SwaggerSocketConnectionClosedException.class)
					.verify(TestConnectionPair.TIMEOUT);
			}
			// never sent: refused, safe to retry whatever its method
			StepVerifier.create(pending)
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(SwaggerSocketStreamRefusedException.class)
					.cause()
					.isInstanceOf(SwaggerSocketConnectionClosedException.class))
				.verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(receiving.skip(1))
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(headed)
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually().until(() -> handlersCancelled.get() == 5);
			assertThat(pair.client().isOpen()).isFalse();
			assertThat(pair.server().isOpen()).isFalse();
			assertThat(pair.client().activeStreams()).isZero();
			assertThat(pair.server().activeStreams()).isZero();
			TestConnectionPair.eventually()
				.until(() -> pair.clientEvents.stream().anyMatch(SwaggerSocketFailedEvent.class::isInstance)
						&& pair.serverEvents.stream().anyMatch(SwaggerSocketFailedEvent.class::isInstance));
		}
	}

	@Test
	void closeWithAStatusReachesThePeerAfterTheGoAway() {
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			StepVerifier.create(pair.client().close()).expectComplete().verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually()
				.until(() -> pair.serverEvents.stream()
					.anyMatch((event) -> event instanceof SwaggerSocketClosedEvent closed
							&& closed.getCloseCode() == CloseCodes.NORMAL && !closed.isClosedLocally()));
			assertThat(pair.sessions.client().sent()).last().isInstanceOf(Frame.GoAway.class);
			StepVerifier.create(pair.sessions.server().closeStatus().map((status) -> status.getCode()))
				.expectNext(CloseCodes.NORMAL)
				.verifyComplete();
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/"), Flux.empty()))
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
		}
	}

	@Test
	void closeFailsTheStreamsStillOpenOnBothSides() {
		AtomicInteger handlersCancelled = new AtomicInteger();
		SwaggerSocketStreamHandler silent = (connection, request, responder) -> Mono.<Void>never()
			.doOnCancel(handlersCancelled::incrementAndGet);
		try (TestConnectionPair pair = TestConnectionPair.connect(silent, silent)) {
			Mono<String> fromClient = call(pair, "/client");
			Mono<StreamMessage> fromServer = pair.server()
				.exchange(TestConnectionPair.request("GET", "/server"), Flux.empty())
				.cache();
			fromServer.subscribe(null, DuplexFlowControlTests::ignore);
			TestConnectionPair.eventually()
				.until(() -> pair.client().activeStreams() == 2 && pair.server().activeStreams() == 2);
			StepVerifier.create(pair.server().close()).expectComplete().verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(fromClient)
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(fromServer)
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually().until(() -> handlersCancelled.get() == 2);
			assertThat(pair.sessions.server().sent()).last().isInstanceOf(Frame.GoAway.class);
			TestConnectionPair.eventually()
				.until(() -> pair.clientEvents.stream()
					.anyMatch((event) -> event instanceof SwaggerSocketClosedEvent closed
							&& closed.getCloseCode() == CloseCodes.NORMAL && !closed.isClosedLocally()));
		}
	}

	private static Mono<String> call(TestConnectionPair pair, String path) {
		Mono<String> call = pair.client()
			.exchange(TestConnectionPair.request("GET", path), Flux.empty())
			.flatMap((response) -> TestConnectionPair.text(response.body()))
			.cache();
		call.subscribe(null, DuplexFlowControlTests::ignore);
		return call;
	}

}
