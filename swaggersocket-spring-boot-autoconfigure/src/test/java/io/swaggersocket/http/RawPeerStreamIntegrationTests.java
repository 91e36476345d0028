package io.swaggersocket.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketHeadersTooLargeException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub calls a raw peer (directly and through its gateway) that declares small limits
 * and answers as a misbehaving implementation would; docs/PROTOCOL.md sections 4.2, 6 and
 * 7 say what the hub sends and how it reacts. Every stream the hub opens is released in
 * the end.
 */
class RawPeerStreamIntegrationTests {

	private static final Duration CALL_WAIT = Duration.ofSeconds(5);

	/**
	 * The raw peer's settings: two streams at a time, the smallest header blocks allowed.
	 */
	private static final String PEER_SETTINGS = "{\"maxConcurrentStreams\":2,\"maxHeaderBlockSize\":1024}";

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hub;

	private static WebClient http;

	private RawWebSocketClient raw;

	private SwaggerSocketConnection peer;

	private WebClient toPeer;

	private int nextStreamId = 2;

	@BeforeAll
	static void start() {
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
		http = WebClient.create("http://127.0.0.1:" + TestApplications.port(hub));
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@BeforeEach
	void connectPeer() {
		int before = events(hub).events(SwaggerSocketConnectedEvent.class).size();
		this.raw = RawWebSocketClient.connect(URI.create(socketUrl(hub)), FrameCodec.SUBPROTOCOL);
		this.raw.send(new Frame.Hello("{\"metadata\":{},\"settings\":" + PEER_SETTINGS + "}"));
		this.raw.awaitFrames(1);
		this.raw.send(new Frame.Ready());
		this.peer = events(hub).await(SwaggerSocketConnectedEvent.class, before + 1, CALL_WAIT).getConnection();
		this.toPeer = hub.getBean(SwaggerSocketWebClients.class).webClient(this.peer);
	}

	@AfterEach
	void everyStreamReleased() {
		try {
			await().atMost(CALL_WAIT).until(() -> this.peer.activeStreams() == 0);
			assertThat(this.peer.isOpen()).isTrue();
		}
		finally {
			this.raw.close();
		}
	}

	@Test
	void malformedResponsePseudoHeadersResetTheStreamWithProtocolErrorAndFreeIt() throws Exception {
		List<List<Header>> malformed = List.of(status("100"), status("600"), status("20x"),
				List.of(new Header(":status", "200"), new Header(":status", "200")),
				List.of(new Header("content-type", "text/plain"), new Header(":status", "200")),
				List.of(new Header("content-type", "text/plain")),
				List.of(new Header(":status", "200"), new Header(":path", "/elsewhere")));
		// more malformed answers than the peer allows streams: each must be released for
		// the next to start
		for (List<Header> headers : malformed) {
			CompletableFuture<String> call = call("/anything");
			int id = awaitRequest().streamId();
			this.raw.send(new Frame.Headers(id, false, headers));
			assertThat(this.raw.awaitFrame((frame) -> frame instanceof Frame.Reset && frame.streamId() == id))
				.as("reaction to %s", headers)
				.isEqualTo(new Frame.Reset(id, ErrorCode.PROTOCOL_ERROR));
			assertThat(failure(call)).isInstanceOfSatisfying(SwaggerSocketStreamResetException.class,
					(reset) -> assertThat(reset.getErrorCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR));
		}
		assertThat(answerOk(call("/after"))).isEqualTo("ok");
	}

	@Test
	void gatewayAnswers502ForAResponseCarryingARequestPseudoHeaderOrARepeatedStatus() throws Exception {
		List<List<Header>> malformed = List.of(List.of(new Header(":status", "200"), new Header(":path", "/x")),
				List.of(new Header(":status", "200"), new Header(":status", "204")));
		for (List<Header> headers : malformed) {
			CompletableFuture<ResponseEntity<Map<String, Object>>> call = gatewayGet("/x", Map.of());
			int id = awaitRequest().streamId();
			this.raw.send(new Frame.Headers(id, true, headers));
			assertThat(this.raw.awaitFrame((frame) -> frame instanceof Frame.Reset && frame.streamId() == id))
				.isEqualTo(new Frame.Reset(id, ErrorCode.PROTOCOL_ERROR));
			ResponseEntity<Map<String, Object>> response = call.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
			assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(response.getBody()).containsEntry("status", 502);
		}
	}

	@Test
	void requestHeadersOverThePeersHeaderBlockLimitFailLocallyAndTheConnectionCarriesOn() throws Exception {
		CompletableFuture<String> call = this.toPeer.get()
			.uri("/big")
			.header("x-big", "y".repeat(2000))
			.retrieve()
			.bodyToMono(String.class)
			.toFuture();
		assertThat(failure(call)).isInstanceOfSatisfying(SwaggerSocketHeadersTooLargeException.class, (tooLarge) -> {
			assertThat(tooLarge.getErrorCode()).isEqualTo(ErrorCode.HEADERS_TOO_LARGE);
			assertThat(tooLarge.getLimit()).isEqualTo(1024);
		});
		CompletableFuture<String> next = call("/after");
		Frame.Headers request = awaitRequest();
		assertThat(request.headers()).contains(new Header(":path", "/after"));
		answer(request.streamId(), "ok");
		assertThat(next.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ok");
		// the oversized block never reached the peer
		assertThat(this.raw.awaitFrames(1)).noneMatch((frame) -> frame instanceof Frame.Headers headers
				&& headers.headers().contains(new Header(":path", "/big")));
	}

	@Test
	void gatewayAnswers431WhenTheRequestHeadersExceedThePeersLimit() throws Exception {
		ResponseEntity<Map<String, Object>> response = gatewayGet("/big", Map.of("x-big", "y".repeat(2000)))
			.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).containsEntry("status", 431);
	}

	@Test
	void responseHeadersOverThePeersLimitResetTheStreamWithInternalError() throws Exception {
		this.raw
			.send(new Frame.Headers(1, true, List.of(new Header(":method", "GET"), new Header(":path", "/fn/headers"),
					new Header("cookie", "flavour=vanilla"), new Header("x-custom", "z".repeat(1500)))));
		assertThat(this.raw.awaitFrame((frame) -> frame.streamId() == 1))
			.isEqualTo(new Frame.Reset(1, ErrorCode.INTERNAL_ERROR));
		this.raw.send(new Frame.Headers(3, true,
				List.of(new Header(":method", "GET"), new Header(":path", "/fn/echo?q=alive"))));
		assertThat(this.raw.awaitFrame((frame) -> frame.streamId() == 3)).isInstanceOfSatisfying(Frame.Headers.class,
				(headers) -> assertThat(headers.headers()).contains(new Header(":status", "200")));
	}

	@Test
	void bodylessGatewayGetSendsItsHeadersWithEndStream() throws Exception {
		CompletableFuture<ResponseEntity<Map<String, Object>>> call = gatewayGet("/plain", Map.of());
		Frame.Headers request = awaitRequest();
		assertThat(request.endStream()).isTrue();
		answer(request.streamId(), "{}");
		assertThat(call.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(HttpStatus.OK);
		assertNothingElseOn(request.streamId());
	}

	@Test
	void completedStreamsAreNotReset() throws Exception {
		CompletableFuture<String> call = call("/done");
		int first = awaitRequest().streamId();
		answer(first, "done");
		assertThat(call.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("done");
		CompletableFuture<ResponseEntity<Map<String, Object>>> viaGateway = gatewayGet("/done", Map.of());
		int second = awaitRequest().streamId();
		answer(second, "{}");
		assertThat(viaGateway.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(HttpStatus.OK);
		CompletableFuture<ResponseEntity<Void>> bodiless = this.toPeer.get()
			.uri("/done")
			.retrieve()
			.toBodilessEntity()
			.toFuture();
		int third = awaitRequest().streamId();
		answer(third, "ignored");
		assertThat(bodiless.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(HttpStatus.OK);
		// a subscriber that cancels on the last bytes of a complete response
		CompletableFuture<DataBuffer> firstBuffer = this.toPeer.get()
			.uri("/done")
			.retrieve()
			.bodyToFlux(DataBuffer.class)
			.next()
			.toFuture();
		int fourth = awaitRequest().streamId();
		answer(fourth, "first and last");
		DataBufferUtils.release(firstBuffer.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS));
		assertNothingElseOn(first);
		assertNothingElseOn(second);
		assertNothingElseOn(third);
		assertNothingElseOn(fourth);
	}

	@Test
	void creditForDiscardedDataIsReturnedAtOnceOnTheConnection() throws Exception {
		this.raw.send(new Frame.Headers(1, true,
				List.of(new Header(":method", "GET"), new Header(":path", "/fn/echo?q=done"))));
		this.raw.awaitFrame((frame) -> frame instanceof Frame.Data data && data.streamId() == 1 && data.endStream());
		await().atMost(CALL_WAIT).until(() -> this.peer.activeStreams() == 0);
		// stream 1 is closed: its DATA is discarded, and its credit comes back at once on
		// stream 0
		this.raw.send(new Frame.Data(1, false, ByteBuffer.wrap(new byte[100])));
		assertThat(this.raw.awaitFrame((frame) -> frame instanceof Frame.WindowUpdate))
			.isEqualTo(new Frame.WindowUpdate(0, 100));
	}

	// ---- the raw peer's side

	private CompletableFuture<String> call(String path) {
		return this.toPeer.get().uri(path).retrieve().bodyToMono(String.class).toFuture();
	}

	private CompletableFuture<ResponseEntity<Map<String, Object>>> gatewayGet(String path,
			Map<String, String> headers) {
		return http.get()
			.uri("/peers/{id}" + path, this.peer.id())
			.headers((h) -> headers.forEach(h::add))
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.toFuture();
	}

	/** Wait for the hub's next request HEADERS (stream ids 2, 4, 6, ...). */
	private Frame.Headers awaitRequest() {
		int id = this.nextStreamId;
		this.nextStreamId += 2;
		return (Frame.Headers) this.raw.awaitFrame((frame) -> frame instanceof Frame.Headers && frame.streamId() == id);
	}

	private void answer(int id, String body) {
		this.raw.send(new Frame.Headers(id, false,
				List.of(new Header(":status", "200"), new Header("content-type", "application/json"))));
		this.raw.send(new Frame.Data(id, true, ByteBuffer.wrap(body.getBytes())));
	}

	private String answerOk(CompletableFuture<String> call) throws Exception {
		answer(awaitRequest().streamId(), "ok");
		return call.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS);
	}

	/**
	 * After a later exchange completed: the hub sent nothing but its request on the
	 * stream.
	 */
	private void assertNothingElseOn(int id) throws Exception {
		CompletableFuture<String> marker = call("/marker");
		answer(awaitRequest().streamId(), "m");
		assertThat(marker.get(CALL_WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("m");
		List<Frame> onStream = new ArrayList<>(
				this.raw.awaitFrames(1).stream().filter((frame) -> frame.streamId() == id).toList());
		assertThat(onStream).hasSize(1)
			.first()
			.isInstanceOfSatisfying(Frame.Headers.class, (headers) -> assertThat(headers.endStream()).isTrue());
	}

	private static List<Header> status(String code) {
		return List.of(new Header(":status", code));
	}

	private static Throwable failure(CompletableFuture<?> call) {
		Throwable failure = org.assertj.core.api.Assertions
			.catchThrowable(() -> call.get(CALL_WAIT.toMillis(), TimeUnit.MILLISECONDS));
		assertThat(failure).isNotNull();
		Throwable cause = failure;
		while (cause.getCause() != null && !(cause instanceof SwaggerSocketStreamResetException)
				&& !(cause instanceof SwaggerSocketHeadersTooLargeException)) {
			cause = cause.getCause();
		}
		return cause;
	}

}
