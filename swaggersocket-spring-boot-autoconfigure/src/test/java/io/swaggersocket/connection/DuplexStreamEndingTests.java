package io.swaggersocket.connection;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a stream's received body ends when the stream or the connection does: credit of
 * unread bytes returned, the failure told to late subscribers, nothing dropped at ERROR.
 * The in-memory tests found each of these wrong in the stream layer before its rework.
 */
class DuplexStreamEndingTests {

	@AfterEach
	void resetHooks() {
		Hooks.resetOnErrorDropped();
	}

	/**
	 * docs/PROTOCOL.md section 7: bytes of a reset stream that no application will
	 * consume are returned at once on stream 0. A handler that subscribed to the request
	 * body and reads slowly, and whose body subscription outlives the reset (it handed
	 * the body to a pipeline of its own), keeps the bytes buffered for the stream: they
	 * hold the connection window for good, and with it every other stream's upload.
	 */
	@Test
	void resetStreamReturnsTheConnectionCreditOfBytesItsSubscriberNeverRead() {
		ConnectionSettings settings = ConnectionSettings.DEFAULTS;
		int holders = settings.connectionWindow() / settings.initialStreamWindow();
		SwaggerSocketStreamHandler handler = (connection, request, responder) -> {
			if ("/hold".equals(Header.pseudo(request.headers(), Header.PATH))) {
				// subscribed, nothing requested: a slow reader
				request.body().subscribe(new DuplexFlowControlTests.HeldBody());
				return Mono.never();
			}
			return TestConnectionPair.bytes(request.body())
				.flatMap((bytes) -> responder.respond(TestConnectionPair.OK,
						TestConnectionPair.body(String.valueOf(bytes.length))));
		};
		try (TestConnectionPair pair = TestConnectionPair.connect(handler, TestConnectionPair.none())) {
			Disposable first = pair.client()
				.exchange(TestConnectionPair.request("POST", "/hold"),
						TestConnectionPair.body(new byte[settings.initialStreamWindow()], 8192))
				.subscribe(null, DuplexFlowControlTests::ignore);
			for (int i = 1; i < holders; i++) {
				pair.client()
					.exchange(TestConnectionPair.request("POST", "/hold"),
							TestConnectionPair.body(new byte[settings.initialStreamWindow()], 8192))
					.subscribe(null, DuplexFlowControlTests::ignore);
			}
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.dataBytes(pair.sessions.client().sent(), 0) == settings
					.connectionWindow());
			AtomicReference<@Nullable String> answer = new AtomicReference<>();
			pair.client()
				.exchange(TestConnectionPair.request("POST", "/read"), TestConnectionPair.body(new byte[100_000], 8192))
				.flatMap((response) -> TestConnectionPair.text(response.body()))
				.subscribe(answer::set, DuplexFlowControlTests::ignore);
			// the caller gives up on the first stream: RESET CANCEL
			first.dispose();
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.client().sent(), 1).contains("RESET CANCEL"));
			TestConnectionPair.eventually().until(() -> answer.get() != null);
			assertThat(answer.get()).isEqualTo("100000");
		}
	}

	/**
	 * {@link SwaggerSocketConnection#exchange}: a call fails with
	 * {@link SwaggerSocketConnectionClosedException} if the connection ends first. A
	 * caller that has the response headers and subscribes to the body after the
	 * connection dropped gets an {@link IllegalStateException} ("Sinks.many().unicast()
	 * sinks only allow a single Subscriber") instead: the connection layer drained the
	 * body itself when the connection ended.
	 */
	@Test
	void responseBodySubscribedAfterTheConnectionDroppedFailsAsConnectionClosed() {
		SwaggerSocketStreamHandler headersOnly = (connection, request, responder) -> responder
			.respond(TestConnectionPair.OK, Flux.never());
		try (TestConnectionPair pair = TestConnectionPair.connect(headersOnly, TestConnectionPair.none())) {
			StreamMessage response = pair.client()
				.exchange(TestConnectionPair.request("GET", "/"), Flux.empty())
				.block(TestConnectionPair.TIMEOUT);
			assertThat(response).isNotNull();
			pair.sessions.drop();
			TestConnectionPair.eventually().until(() -> !pair.client().isOpen());
			StepVerifier.create(response.body())
				.expectError(SwaggerSocketConnectionClosedException.class)
				.verify(TestConnectionPair.TIMEOUT);
		}
	}

	/**
	 * A caller that stops reading a response body is not an error: the stream is reset
	 * with CANCEL (docs/PROTOCOL.md 6.2). The connection layer also signals the reset as
	 * an error into the body it is cancelling, which Reactor reports at ERROR as
	 * "Operator called default onErrorDropped" (house rule: ERROR only for this side's
	 * own faults).
	 */
	@Test
	void callerCancellingAResponseBodyDropsNoError() {
		ConcurrentLinkedQueue<Throwable> dropped = new ConcurrentLinkedQueue<>();
		Hooks.onErrorDropped(dropped::add);
		SwaggerSocketStreamHandler endless = (connection, request, responder) -> responder
			.respond(TestConnectionPair.OK, Flux.concat(Flux.just(TestConnectionPair.chunk(100)), Flux.never()));
		try (TestConnectionPair pair = TestConnectionPair.connect(endless, TestConnectionPair.none())) {
			AtomicBoolean reading = new AtomicBoolean();
			Disposable call = pair.client()
				.exchange(TestConnectionPair.request("GET", "/"), Flux.empty())
				.flatMap(
						(response) -> TestConnectionPair.bytes(response.body().doOnNext((buffer) -> reading.set(true))))
				.subscribe();
			TestConnectionPair.eventually().untilTrue(reading);
			call.dispose();
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.client().sent(), 1).contains("RESET CANCEL"));
			pair.awaitQuiet();
			assertThat(dropped).isEmpty();
		}
	}

}
