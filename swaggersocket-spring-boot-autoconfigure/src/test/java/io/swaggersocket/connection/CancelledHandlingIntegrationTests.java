package io.swaggersocket.connection;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.NettyRuntime;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.ParkedPublishers;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.web.reactive.function.server.ServerResponse;

import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A peer resets a stream while its handler runs on another thread (the handling spread
 * over the event loops): the handling is cancelled, as for an HTTP client that
 * disconnects, and what the handler signals a moment later, on its own thread, ends
 * quietly. Its late error is logged at DEBUG with the connection id, not at ERROR by
 * Reactor's dropped-error hook; a late body buffer is released.
 */
@ExtendWith(OutputCaptureExtension.class)
class CancelledHandlingIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static URI uri;

	@BeforeAll
	static void startServer() {
		server = apps.server("swaggersocket.spread-handling=on",
				"logging.level.io.swaggersocket.connection.SocketConnection=debug");
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stopServer() {
		apps.close();
	}

	@AfterEach
	void everyConnectionIsGone() {
		await().atMost(TIMEOUT).until(() -> registry(server).list().isEmpty());
	}

	@Test
	void handlerFailingAfterThePeerResetItsStreamIsLoggedAtDebug(CapturedOutput output) throws Exception {
		assumeTrue(NettyRuntime.availableProcessors() > 1,
				"with one processor every hand-off goes to the connection's own loop");
		String failure = "late failure of a cancelled handler";
		String connectionId;
		try (BareWebSocket peer = open()) {
			connectionId = onlyConnection().id();
			Thread connectionLoop = connectionLoop(peer);
			// the handling goes to the connection's loop and the next ones in turn; a
			// handler that lands on the connection's own loop answers at once, and the
			// next stream tries again
			int id = 3;
			ParkedPublishers.Gate gate = null;
			for (int attempt = 0; attempt < 20 && gate == null; attempt++, id += 2) {
				String key = "gate-" + UUID.randomUUID();
				ParkedPublishers.Gate candidate = ParkedPublishers.gate(key).avoid(connectionLoop);
				peer.send(new Frame.Headers(id, true, request("/gate/" + key)));
				Thread handlerThread = candidate.awaitEntered(TIMEOUT);
				assertThat(handlerThread).as("handler entered").isNotNull();
				if (handlerThread != connectionLoop) {
					gate = candidate;
				}
				else {
					awaitResponseOrReset(peer, id);
				}
			}
			assertThat(gate).as("a handler on another loop than its connection's").isNotNull();
			int gated = id - 2;
			// the peer resets the stream while its handler runs on the other loop; once
			// the cancel has reached the handler, the handler goes on and fails
			peer.send(new Frame.Reset(gated, ErrorCode.CANCEL));
			assertThat(gate.awaitCancelled(TIMEOUT)).as("handling cancelled").isTrue();
			gate.open();
			await().atMost(TIMEOUT).until(() -> output.getAll().contains(failure));
			assertThat(onlyConnection().activeStreams()).isZero();
		}
		assertNoErrors(output);
		assertThat(output.getAll()
			.lines()
			.filter((line) -> line.contains(" DEBUG ") && line.contains(connectionId) && line.contains(failure)))
			.as("the late failure, at DEBUG with the connection id")
			.isNotEmpty();
	}

	/**
	 * The thread that reads the connection: the one a reset cancels a stream's handling
	 * on.
	 */
	private static Thread connectionLoop(BareWebSocket peer) throws Exception {
		String key = "parked-" + UUID.randomUUID();
		ParkedPublishers.Parked<ServerResponse> parked = ParkedPublishers.get(key);
		peer.send(new Frame.Headers(1, true, request("/parked/" + key)));
		assertThat(parked.awaitSubscribed(TIMEOUT)).as("handler subscribed").isTrue();
		peer.send(new Frame.Reset(1, ErrorCode.CANCEL));
		assertThat(parked.awaitCancelled(TIMEOUT)).as("handling cancelled").isTrue();
		Thread thread = parked.cancelledOn();
		assertThat(thread).isNotNull();
		return thread;
	}

	private static void awaitResponseOrReset(BareWebSocket peer, int id) throws Exception {
		while (true) {
			BareWebSocket.WsFrame frame = peer.readFrame();
			if (frame.opcode() == BareWebSocket.BINARY) {
				Frame decoded = frame.frame();
				boolean last = (decoded instanceof Frame.Headers headers && headers.endStream())
						|| (decoded instanceof Frame.Data data && data.endStream()) || decoded instanceof Frame.Reset;
				if (decoded.streamId() == id && last) {
					return;
				}
			}
		}
	}

	@Test
	void bodyBufferEmittedAfterThePeerResetItsStreamIsReleased(CapturedOutput output) throws Exception {
		String key = "late-body-" + UUID.randomUUID();
		ParkedPublishers.Parked<DataBuffer> body = ParkedPublishers.get(key);
		NettyDataBuffer late = new NettyDataBufferFactory(PooledByteBufAllocator.DEFAULT).allocateBuffer(1024);
		late.write(new byte[1024]);
		try (BareWebSocket peer = open()) {
			peer.send(new Frame.Headers(1, true, request("/parked-body/" + key)));
			assertThat(body.awaitSubscribed(TIMEOUT)).as("body subscribed").isTrue();
			peer.send(new Frame.Reset(1, ErrorCode.CANCEL));
			assertThat(body.awaitCancelled(TIMEOUT)).as("body cancelled").isTrue();
			body.next(late);
			body.error(new IllegalStateException("late failure of a cancelled body"));
			await().atMost(TIMEOUT).until(() -> onlyConnection().activeStreams() == 0);
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(late.getNativeBuffer().refCnt()).isZero());
		assertNoErrors(output);
	}

	private static SwaggerSocketConnection onlyConnection() {
		List<SwaggerSocketConnection> connections = registry(server).list();
		assertThat(connections).hasSize(1);
		return connections.get(0);
	}

	private static BareWebSocket open() throws Exception {
		BareWebSocket peer = BareWebSocket.connect(uri, TIMEOUT);
		peer.handshake("{\"metadata\":{\"name\":\"resetting\"}}");
		await().atMost(TIMEOUT).until(() -> registry(server).list().size() == 1);
		return peer;
	}

	private static List<Header> request(String path) {
		return new ArrayList<>(List.of(new Header(Header.METHOD, "GET"), new Header(Header.PATH, path)));
	}

	private static void assertNoErrors(CapturedOutput output) {
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")))
			.as("ERROR records caused by the peer's reset")
			.isEmpty();
	}

}
