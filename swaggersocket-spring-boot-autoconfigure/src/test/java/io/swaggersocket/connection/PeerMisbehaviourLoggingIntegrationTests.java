package io.swaggersocket.connection;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Hooks;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a peer does wrong is its fault, not ours: it is logged at WARN (connection) or
 * DEBUG (stream), never at ERROR, whatever the peer does to requests dispatched into the
 * application.
 */
@ExtendWith(OutputCaptureExtension.class)
class PeerMisbehaviourLoggingIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	/**
	 * Races end either way in most rounds; the rare wrong ending needs several hundred.
	 */
	private static final int ROUNDS = 400;

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static URI uri;

	@BeforeAll
	static void startServer() {
		server = apps.server();
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stopServer() {
		apps.close();
	}

	/**
	 * Errors that Reactor drops are logged at ERROR only when no hook is installed:
	 * counted here, a drop fails the test however the output is captured.
	 */
	private final List<Throwable> dropped = new CopyOnWriteArrayList<>();

	@BeforeEach
	void countDroppedErrors() {
		Hooks.onErrorDropped(this.dropped::add);
	}

	@AfterEach
	void stopCountingDroppedErrors() {
		Hooks.resetOnErrorDropped();
	}

	@AfterEach
	void everyConnectionIsGone() {
		await().atMost(TIMEOUT).until(() -> registry(server).list().isEmpty());
	}

	@Test
	void headersHttpCannotCarryLogNoError(CapturedOutput output) throws Exception {
		List<List<Header>> requests = List.of(request("GET", "/mvc/echo", new Header("bad name", "x")),
				request("GET", "/mvc/echo", new Header("x-nul\u0000", "x")),
				request("GET", "/mvc/echo", new Header("x-crlf", "a\r\nx-injected: 1")),
				request("GET", "/mvc/echo", new Header("x-nul-value", "a\u0000b")),
				request("GET", "/mvc/echo", new Header("content-type", "\u0001/\u0002")),
				request("POST", "/mvc/json", new Header("content-type", "application/json; charset=nope")),
				request("GET", "/mvc/echo", new Header("content-length", "-1")),
				request("GET", "/mvc/echo", new Header("content-length", "abc")),
				request("GET", "/mvc/echo", new Header("host", "a b/c")),
				request("GET", "/mvc/echo", new Header("host", "[::1")),
				request("GET", "/mvc/echo", new Header("accept", "\u00e9/\u00e9")),
				request("GET", "/mvc/echo", new Header("cookie", "=;;=x; a")),
				request("GET", "/fn/echo", new Header("accept-language", "\u0000")),
				request("GET", "/mvc/echo?%zz=%", new Header("x", "y")), request("G\u00e9T", "/mvc/echo"),
				request("GET", "/mvc/%00/../..//"), request("GET", "/%"), request("CONNECT", "/mvc/echo"));
		try (BareWebSocket peer = open()) {
			int id = 1;
			for (List<Header> headers : requests) {
				peer.send(new Frame.Headers(id, true, headers));
				id += 2;
			}
			peer.send(new Frame.Headers(id, true, request("GET", "/mvc/echo?q=done")));
			awaitResponseOrReset(peer, id);
		}
		assertNoErrors(output);
	}

	@Test
	void resetsAndAbruptEndsDuringResponsesLogNoError(CapturedOutput output) throws Exception {
		for (int round = 0; round < 20; round++) {
			try (BareWebSocket peer = open()) {
				peer.send(new Frame.Headers(1, true, request("GET", "/stream/sse")));
				peer.send(new Frame.Headers(3, true, request("GET", "/stream/download?size=10000000")));
				peer.send(new Frame.Headers(5, false, request("POST", "/stream/upload")));
				peer.send(new Frame.Data(5, false, ByteBuffer.wrap(new byte[1000])));
				peer.send(new Frame.Headers(7, false,
						request("POST", "/mvc/json", new Header("content-type", "application/json"))));
				peer.send(new Frame.Data(7, false, ByteBuffer.wrap("{\"a\":".getBytes(StandardCharsets.UTF_8))));
				peer.send(new Frame.Headers(9, true, request("GET", "/stream/short-sse")));
				peer.readFrame();
				peer.send(new Frame.Reset(1, ErrorCode.CANCEL));
				peer.send(new Frame.Reset(3, ErrorCode.CANCEL));
				peer.send(new Frame.Reset(5, ErrorCode.PROTOCOL_ERROR));
				peer.send(new Frame.Reset(9, ErrorCode.NO_ERROR));
				// DATA after END_STREAM, and on a stream already reset
				peer.send(new Frame.Data(9, true, ByteBuffer.wrap(new byte[1])));
				peer.send(new Frame.Data(5, true, ByteBuffer.wrap(new byte[1])));
				if (round % 2 == 0) {
					peer.socket().setSoLinger(true, 0);
				}
			}
		}
		assertNoErrors(output);
	}

	@Test
	void closeRacingShortSseResponsesLogsNoError(CapturedOutput output) throws Exception {
		for (int round = 0; round < ROUNDS; round++) {
			try (BareWebSocket peer = open()) {
				for (int id = 1; id <= 9; id += 2) {
					peer.send(new Frame.Headers(id, true, request("GET", "/stream/short-sse")));
				}
				switch (round % 4) {
					case 0 -> peer.sendClose(1000);
					case 1 -> peer.socket().setSoLinger(true, 0);
					case 2 -> registry(server).list().forEach((connection) -> connection.close().subscribe());
					default -> {
						peer.readFrame();
						peer.sendClose(1001);
					}
				}
			}
		}
		assertNoErrors(output);
	}

	/**
	 * RFC 6455 lets a close frame come between the fragments of a message; the connection
	 * then ends with the message half-aggregated, which Reactor Netty reports as an
	 * exception.
	 */
	@Test
	void closeInTheMiddleOfAFragmentedMessageLogsNoError(CapturedOutput output) throws Exception {
		for (int round = 0; round < 30; round++) {
			try (BareWebSocket peer = open()) {
				peer.sendFrame(false, BareWebSocket.BINARY, new byte[] { 7, 0, 0, 0 });
				switch (round % 3) {
					case 0 -> {
						peer.sendClose(1000);
						peer.readUntilClose();
					}
					case 1 -> {
						await().atMost(TIMEOUT).until(() -> !registry(server).list().isEmpty());
						registry(server).list().forEach((connection) -> connection.close().subscribe());
						int code = peer.readUntilClose().closeCode();
						peer.sendClose(code);
					}
					default -> peer.socket().setSoLinger(true, 0);
				}
				if (round % 3 != 2) {
					peer.readsEndOfStream();
				}
			}
		}
		assertNoErrors(output);
	}

	/**
	 * Both sides are this implementation: a WebClient reads short SSE responses while
	 * either side closes the connection under it. The caller's body fails or completes;
	 * nobody logs ERROR, on either side.
	 */
	@Test
	void closeRacingShortSseResponsesOverWebClientLogsNoError(CapturedOutput output) {
		try (TestApplications pair = new TestApplications()) {
			TestApplications.Connected connected = pair.connected();
			SwaggerSocketConnections clientRegistry = registry(connected.client());
			for (int round = 0; round < 20; round++) {
				SwaggerSocketConnection clientSide = await().atMost(TIMEOUT)
					.until(() -> clientRegistry.list().stream().filter(SwaggerSocketConnection::isOpen).findFirst(),
							java.util.Optional::isPresent)
					.get();
				org.springframework.web.reactive.function.client.WebClient webClient = connected.client()
					.getBean(io.swaggersocket.http.SwaggerSocketWebClients.class)
					.webClient(clientSide);
				List<reactor.core.publisher.Mono<List<String>>> calls = new ArrayList<>();
				for (int i = 0; i < 8; i++) {
					calls.add(webClient.get()
						.uri("/stream/short-sse")
						.retrieve()
						.bodyToFlux(String.class)
						.collectList()
						.onErrorReturn(List.of()));
				}
				reactor.core.publisher.Flux<List<String>> all = reactor.core.publisher.Flux.merge(calls);
				reactor.core.publisher.Mono<Void> close = (round % 2 == 0) ? clientSide.close()
						: registry(connected.server()).find(clientSide.id())
							.map(SwaggerSocketConnection::close)
							.orElse(reactor.core.publisher.Mono.empty());
				reactor.core.publisher.Mono.when(all.then(), close).block(TIMEOUT);
			}
		}
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")))
			.as("ERROR records caused by a close")
			.isEmpty();
	}

	/**
	 * A caller that stops reading a response body (take, a timeout, a cancelled request)
	 * cancels its stream: an ordinary event, which nobody logs at ERROR.
	 */
	@Test
	void callersCancellingResponseBodiesLogNoError(CapturedOutput output) {
		try (TestApplications pair = new TestApplications()) {
			TestApplications.Connected connected = pair.connected();
			org.springframework.web.reactive.function.client.WebClient webClient = connected.clientToServer();
			for (int i = 0; i < 20; i++) {
				List<String> first = webClient.get()
					.uri("/stream/endless")
					.retrieve()
					.bodyToFlux(String.class)
					.take(2)
					.collectList()
					.block(TIMEOUT);
				assertThat(first).hasSize(2);
			}
			await().atMost(TIMEOUT).until(() -> connected.serverSide().activeStreams() == 0);
		}
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")))
			.as("ERROR records caused by a cancelled body")
			.isEmpty();
	}

	private static BareWebSocket open() throws Exception {
		BareWebSocket peer = BareWebSocket.connect(uri, TIMEOUT);
		peer.handshake("{\"metadata\":{\"name\":\"rude\"}}");
		return peer;
	}

	private static List<Header> request(String method, String path, Header... headers) {
		List<Header> block = new ArrayList<>(List.of(new Header(Header.METHOD, method), new Header(Header.PATH, path)));
		block.addAll(List.of(headers));
		return block;
	}

	private static void awaitResponseOrReset(BareWebSocket peer, int id) throws Exception {
		while (true) {
			BareWebSocket.WsFrame frame = peer.readFrame();
			if (frame.opcode() == BareWebSocket.BINARY) {
				Frame decoded = frame.frame();
				if (decoded.streamId() == id && (decoded instanceof Frame.Headers || decoded instanceof Frame.Reset)) {
					return;
				}
			}
		}
	}

	private void assertNoErrors(CapturedOutput output) {
		await().atMost(TIMEOUT).until(() -> registry(server).list().isEmpty());
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")))
			.as("ERROR records caused by the peer")
			.isEmpty();
		assertThat(this.dropped).as("errors dropped by Reactor").isEmpty();
	}

}
