package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameType;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The life of a stream (docs/PROTOCOL.md 6.2 and 6.4) as it shows on the wire between two
 * connections in memory.
 */
class DuplexStreamStateTests {

	@Test
	void requestWithoutBodyEndsTheStreamOnItsHeaders() {
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.empty(),
				TestConnectionPair.none())) {
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/"), Flux.empty()))
				.assertNext((response) -> StepVerifier.create(response.body()).verifyComplete())
				.verifyComplete();
			pair.awaitQuiet();
			assertThat(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)).containsExactly("HEADERS+END");
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1)).containsExactly("HEADERS+END");
		}
	}

	@Test
	void requestWithBodyEndsTheStreamOnItsLastData() {
		byte[] bytes = new byte[200 * 1024];
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), TestConnectionPair.body(bytes, 10_000))
					.flatMap((response) -> TestConnectionPair.bytes(response.body())))
				.assertNext((echoed) -> assertThat(echoed).hasSize(bytes.length))
				.verifyComplete();
			pair.awaitQuiet();
			assertThat(TestConnectionPair.collapsed(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)))
				.containsExactly("HEADERS", "DATA*", "DATA+END");
			assertThat(TestConnectionPair.collapsed(TestConnectionPair.shapes(pair.sessions.server().sent(), 1)))
				.startsWith("HEADERS")
				.endsWith("DATA+END");
			assertThat(TestConnectionPair.dataBytes(pair.sessions.client().sent(), 1)).isEqualTo(bytes.length);
		}
	}

	@Test
	void responseMayCompleteBeforeTheRequestBodyEnds() {
		Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
		SwaggerSocketStreamHandler early = (connection, request, responder) -> responder.respond(TestConnectionPair.OK,
				TestConnectionPair.body("early"));
		try (TestConnectionPair pair = TestConnectionPair.connect(early, TestConnectionPair.none())) {
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), upload.asFlux())
					.flatMap((response) -> TestConnectionPair.text(response.body())))
				.then(() -> upload.tryEmitNext(TestConnectionPair.chunk(1000)))
				.expectNext("early")
				.verifyComplete();
			// the server answered in full; the request half is still open on both sides
			assertThat(pair.server().activeStreams()).isEqualTo(1);
			upload.tryEmitNext(TestConnectionPair.chunk(1000));
			upload.tryEmitComplete();
			pair.awaitQuiet();
			List<String> log = pair.sessions.log()
				.stream()
				.filter((sent) -> sent.frame() != null && sent.frame().streamId() == 1)
				.map((sent) -> sent.from() + " " + TestConnectionPair.shape(sent.frame()))
				.toList();
			assertThat(log.indexOf("server DATA+END")).isLessThan(log.indexOf("client DATA+END"));
			// the unread request body was read and discarded for the handler: its credit
			// is back
			assertThat(pair.sessions.server().sent(Frame.Reset.class)).isEmpty();
		}
	}

	@Test
	void callerCancellingWhileAwaitingTheResponseResetsWithCancel() {
		AtomicBoolean handlerCancelled = new AtomicBoolean();
		SwaggerSocketStreamHandler silent = (connection, request, responder) -> Mono.<Void>never()
			.doOnCancel(() -> handlerCancelled.set(true));
		try (TestConnectionPair pair = TestConnectionPair.connect(silent, TestConnectionPair.none())) {
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/"), Flux.empty()))
				.then(() -> TestConnectionPair.eventually().until(() -> pair.server().activeStreams() == 1))
				.thenCancel()
				.verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually().untilTrue(handlerCancelled);
			pair.awaitQuiet();
			assertThat(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)).containsExactly("HEADERS+END",
					"RESET CANCEL");
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1)).isEmpty();
		}
	}

	@Test
	void responderResettingAfterTheRequestEndedFailsTheCaller() {
		SwaggerSocketStreamHandler failing = (connection, request,
				responder) -> Mono.fromRunnable(() -> responder.reset(ErrorCode.INTERNAL_ERROR)).then(Mono.never());
		try (TestConnectionPair pair = TestConnectionPair.connect(failing, TestConnectionPair.none())) {
			StepVerifier.create(pair.client().exchange(TestConnectionPair.request("GET", "/"), Flux.empty()))
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(SwaggerSocketStreamResetException.class)
					.satisfies((reset) -> assertThat(((SwaggerSocketStreamResetException) reset).getErrorCode())
						.isEqualTo(ErrorCode.INTERNAL_ERROR)))
				.verify(TestConnectionPair.TIMEOUT);
			pair.awaitQuiet();
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1))
				.containsExactly("RESET INTERNAL_ERROR");
			assertThat(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)).containsExactly("HEADERS+END");
		}
	}

	@Test
	void resetNoErrorAfterACompleteResponseStopsTheUploadAndKeepsTheResponse() {
		Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
		AtomicBoolean uploadCancelled = new AtomicBoolean();
		SwaggerSocketStreamHandler done = (connection, request, responder) -> responder
			.respond(TestConnectionPair.OK, TestConnectionPair.body("enough"))
			.then(Mono.fromRunnable(() -> responder.reset(ErrorCode.NO_ERROR)));
		try (TestConnectionPair pair = TestConnectionPair.connect(done, TestConnectionPair.none())) {
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"),
							upload.asFlux().doOnCancel(() -> uploadCancelled.set(true)))
					.flatMap((response) -> TestConnectionPair.text(response.body())))
				.then(() -> upload.tryEmitNext(TestConnectionPair.chunk(100)))
				.expectNext("enough")
				.verifyComplete();
			TestConnectionPair.eventually().untilTrue(uploadCancelled);
			pair.awaitQuiet();
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1)).endsWith("RESET NO_ERROR");
			assertThat(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)).doesNotContain("DATA+END")
				.noneMatch((shape) -> shape.startsWith("RESET"));
		}
	}

	@Test
	void cancellingAnOpenStreamInBothDirectionsResetsIt() {
		Sinks.Many<DataBuffer> upload = Sinks.many().unicast().onBackpressureBuffer();
		AtomicBoolean handlerCancelled = new AtomicBoolean();
		SwaggerSocketStreamHandler streaming = (connection, request, responder) -> responder
			.respond(TestConnectionPair.OK, request.body())
			.doOnCancel(() -> handlerCancelled.set(true));
		try (TestConnectionPair pair = TestConnectionPair.connect(streaming, TestConnectionPair.none())) {
			StepVerifier
				.create(pair.client()
					.exchange(TestConnectionPair.request("POST", "/"), upload.asFlux())
					.flatMapMany(StreamMessage::body)
					.map(TestConnectionPair::releasedLength))
				.then(() -> upload.tryEmitNext(TestConnectionPair.chunk(10)))
				.expectNext(10)
				.thenCancel()
				.verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually().untilTrue(handlerCancelled);
			pair.awaitQuiet();
			assertThat(TestConnectionPair.shapes(pair.sessions.client().sent(), 1)).endsWith("RESET CANCEL");
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1))
				.noneMatch((shape) -> shape.startsWith("RESET"));
		}
	}

	@Test
	void dataAfterTheSendersEndStreamIsResetWithStreamClosed() {
		try (TestConnectionPair pair = TestConnectionPair.rawClient(ConnectionSettings.DEFAULTS,
				(connection, request, responder) -> Mono.never())) {
			TestDuplexSessions.End raw = pair.sessions.client();
			raw.sendFrame(new Frame.Headers(1, true, TestConnectionPair.request("GET", "/")));
			raw.sendFrame(new Frame.Data(1, false, ByteBuffer.allocate(100)));
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.shapes(pair.sessions.server().sent(), 1),
						(shapes) -> !shapes.isEmpty());
			assertThat(TestConnectionPair.shapes(pair.sessions.server().sent(), 1))
				.containsExactly("RESET STREAM_CLOSED");
			// the bytes nobody will read are returned at once on the connection
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.granted(pair.sessions.server().sent(), 0), (granted) -> granted >= 100);
			assertThat(pair.server().isOpen()).isTrue();
			pair.awaitQuiet();
		}
	}

	@Test
	void framesOnAStreamAfterItsResetAreDiscardedAndTheirCreditReturned() {
		AtomicBoolean handlerCancelled = new AtomicBoolean();
		try (TestConnectionPair pair = TestConnectionPair.rawClient(ConnectionSettings.DEFAULTS,
				(connection, request, responder) -> Mono.<Void>never().doOnCancel(() -> handlerCancelled.set(true)))) {
			TestDuplexSessions.End raw = pair.sessions.client();
			raw.sendFrame(new Frame.Headers(1, false, TestConnectionPair.request("POST", "/")));
			raw.sendFrame(new Frame.Reset(1, ErrorCode.CANCEL));
			// in flight when the RESET was sent: discarded, not answered
			raw.sendFrame(new Frame.Data(1, false, ByteBuffer.allocate(3000)));
			raw.sendFrame(new Frame.Data(1, true, ByteBuffer.allocate(0)));
			raw.sendFrame(new Frame.WindowUpdate(1, 1000));
			raw.sendFrame(new Frame.Reset(1, ErrorCode.CANCEL));
			TestConnectionPair.eventually().untilTrue(handlerCancelled);
			TestConnectionPair.eventually()
				.until(() -> TestConnectionPair.granted(pair.sessions.server().sent(), 0),
						(granted) -> granted == 3000);
			assertThat(pair.sessions.server().sent())
				.noneMatch((frame) -> frame.streamId() == 1 && frame.type() != FrameType.WINDOW_UPDATE);
			// and the connection carries on
			raw.sendFrame(new Frame.Headers(3, true, TestConnectionPair.request("GET", "/")));
			TestConnectionPair.eventually().until(() -> pair.server().activeStreams() == 1);
			assertThat(pair.server().isOpen()).isTrue();
		}
	}

}
