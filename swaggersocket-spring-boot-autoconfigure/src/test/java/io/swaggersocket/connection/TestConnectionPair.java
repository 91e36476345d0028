package io.swaggersocket.connection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@link ConnectionManager}s, a server and a client, connected over
 * {@link TestDuplexSessions}, without Spring Boot; or one server manager and a raw client
 * the test drives frame by frame ({@link #rawClient}).
 */
final class TestConnectionPair implements AutoCloseable {

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final List<Header> OK = List.of(new Header(Header.STATUS, "200"));

	final TestDuplexSessions sessions = new TestDuplexSessions();

	final List<SwaggerSocketConnectionEvent> serverEvents = new CopyOnWriteArrayList<>();

	final List<SwaggerSocketConnectionEvent> clientEvents = new CopyOnWriteArrayList<>();

	private final AtomicReference<@Nullable SwaggerSocketConnection> server = new AtomicReference<>();

	private final AtomicReference<@Nullable SwaggerSocketConnection> client = new AtomicReference<>();

	private TestConnectionPair() {
	}

	/**
	 * Awaitility, polling often: the conditions here turn true within milliseconds.
	 * @return a condition factory bounded by {@link #TIMEOUT}
	 */
	static ConditionFactory eventually() {
		return Awaitility.await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
	}

	/**
	 * Connect a client and a server, each with its own settings and stream handler.
	 * @param serverSettings what the server declares
	 * @param serverHandler serves the streams the client opens
	 * @param clientSettings what the client declares
	 * @param clientHandler serves the streams the server opens
	 * @return the connected pair
	 */
	static TestConnectionPair connect(ConnectionSettings serverSettings, SwaggerSocketStreamHandler serverHandler,
			ConnectionSettings clientSettings, SwaggerSocketStreamHandler clientHandler) {
		return connect(serverSettings, serverHandler, clientSettings, clientHandler, -1);
	}

	/**
	 * Connect with the given settings on each side and windows that grow up to
	 * {@code maxWindow} on both.
	 * @param serverSettings what the server declares
	 * @param serverHandler serves the streams the client opens
	 * @param clientSettings what the client declares
	 * @param clientHandler serves the streams the server opens
	 * @param maxWindow how far the windows may grow, -1 to keep them as declared
	 * @return the connected pair
	 */
	static TestConnectionPair connect(ConnectionSettings serverSettings, SwaggerSocketStreamHandler serverHandler,
			ConnectionSettings clientSettings, SwaggerSocketStreamHandler clientHandler, int maxWindow) {
		TestConnectionPair pair = new TestConnectionPair();
		pair.startServer(serverSettings, serverHandler, maxWindow);
		ConnectionManager clientManager = new ConnectionManager(options(clientSettings, maxWindow),
				new SwaggerSocketConnections(), (event) -> {
					if (event instanceof SwaggerSocketConnectionEvent connectionEvent) {
						pair.clientEvents.add(connectionEvent);
					}
				}, new SwaggerSocketHeartbeatHandler() {
				}, clientHandler);
		clientManager.start();
		clientManager.dial(pair.sessions.client(), Map.of("side", "client"), null, pair.client::set)
			.subscribe(null, (ex) -> {
			});
		eventually().until(() -> pair.client.get() != null && pair.server.get() != null);
		return pair;
	}

	/**
	 * Connect with the protocol's default settings on both sides.
	 * @param serverHandler serves the streams the client opens
	 * @param clientHandler serves the streams the server opens
	 * @return the connected pair
	 */
	static TestConnectionPair connect(SwaggerSocketStreamHandler serverHandler,
			SwaggerSocketStreamHandler clientHandler) {
		return connect(ConnectionSettings.DEFAULTS, serverHandler, ConnectionSettings.DEFAULTS, clientHandler);
	}

	/**
	 * A server manager and a raw client: the handshake is done, the test sends frames
	 * with {@code sessions.client().sendFrame(...)} and reads what the server sent.
	 * @param serverSettings what the server declares
	 * @param serverHandler serves the streams the raw client opens
	 * @return the connected pair; {@link #client()} is not available
	 */
	static TestConnectionPair rawClient(ConnectionSettings serverSettings, SwaggerSocketStreamHandler serverHandler) {
		TestConnectionPair pair = new TestConnectionPair();
		pair.startServer(serverSettings, serverHandler, -1);
		TestDuplexSessions.End raw = pair.sessions.client();
		// what the server sends is recorded in raw.received()
		raw.receive().subscribe();
		raw.sendFrame(new Frame.Hello("{\"metadata\":{},\"settings\":{}}"));
		eventually().until(() -> raw.received().stream().anyMatch(Frame.Welcome.class::isInstance));
		raw.sendFrame(new Frame.Ready());
		eventually().until(() -> pair.server.get() != null);
		return pair;
	}

	private void startServer(ConnectionSettings settings, SwaggerSocketStreamHandler handler, int maxWindow) {
		ConnectionManager serverManager = new ConnectionManager(options(settings, maxWindow),
				new SwaggerSocketConnections(), (event) -> {
					if (event instanceof SwaggerSocketConnectedEvent connected) {
						this.server.set(connected.getConnection());
					}
					if (event instanceof SwaggerSocketConnectionEvent connectionEvent) {
						this.serverEvents.add(connectionEvent);
					}
				}, new SwaggerSocketHeartbeatHandler() {
				}, handler);
		serverManager.start();
		serverManager.accept(this.sessions.server()).subscribe();
	}

	private static ConnectionOptions options(ConnectionSettings settings, int maxWindow) {
		// no heartbeat within a test: frames on the wire are the test's own; and, unless
		// the test says otherwise, windows that stay as declared, so that credit on the
		// wire adds up exactly (their growth is InboundFlowControllerTests' subject)
		return new ConnectionOptions(settings, TIMEOUT, Duration.ofHours(1), Duration.ofHours(1), 16 * 1024,
				ConnectionOptions.DEFAULT_DRAIN_TIMEOUT, -1,
				(maxWindow != -1) ? maxWindow : Math.min(settings.initialStreamWindow(), settings.connectionWindow()));
	}

	SwaggerSocketConnection server() {
		SwaggerSocketConnection server = this.server.get();
		assertThat(server).as("server connection").isNotNull();
		return server;
	}

	SwaggerSocketConnection client() {
		SwaggerSocketConnection client = this.client.get();
		assertThat(client).as("client connection").isNotNull();
		return client;
	}

	/**
	 * Wait until both connections have no stream open and no buffer of the pair is held.
	 */
	void awaitQuiet() {
		eventually().untilAsserted(() -> {
			assertThat(server().activeStreams()).as("server streams").isZero();
			if (this.client.get() != null) {
				assertThat(client().activeStreams()).as("client streams").isZero();
			}
		});
	}

	/**
	 * Drop the transport and check that every pooled buffer the pair handed out has been
	 * released.
	 */
	@Override
	public void close() {
		this.sessions.close();
		eventually()
			.untilAsserted(() -> assertThat(this.sessions.liveBuffers()).as("pooled buffers not released").isZero());
	}

	// ---- requests and bodies

	/**
	 * The length of a received body buffer, which this releases: received buffers are
	 * slices of pooled messages, and every consumer releases what it takes.
	 */
	static int releasedLength(DataBuffer buffer) {
		int length = buffer.readableByteCount();
		DataBufferUtils.release(buffer);
		return length;
	}

	static List<Header> request(String method, String path) {
		return List.of(new Header(Header.METHOD, method), new Header(Header.PATH, path));
	}

	static Flux<DataBuffer> body(byte[] bytes, int chunk) {
		return Flux.range(0, (bytes.length + chunk - 1) / chunk)
			.map((i) -> DefaultDataBufferFactory.sharedInstance
				.wrap(ByteBuffer.wrap(bytes, i * chunk, Math.min(chunk, bytes.length - i * chunk))));
	}

	static DataBuffer chunk(int size) {
		return DefaultDataBufferFactory.sharedInstance.wrap(new byte[size]);
	}

	static Flux<DataBuffer> body(String text) {
		return Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8)));
	}

	static Mono<byte[]> bytes(Flux<DataBuffer> body) {
		return DataBufferUtils.join(body).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		}).defaultIfEmpty(new byte[0]);
	}

	static Mono<String> text(Flux<DataBuffer> body) {
		return bytes(body).map((bytes) -> new String(bytes, StandardCharsets.UTF_8));
	}

	/** Answers every stream with 200 and the request body. */
	static SwaggerSocketStreamHandler echo() {
		return (connection, request, responder) -> responder.respond(OK, request.body());
	}

	/**
	 * Answers every stream with 200 and an empty body, after reading the request body.
	 */
	static SwaggerSocketStreamHandler empty() {
		return (connection, request, responder) -> request.body()
			.doOnNext(DataBufferUtils::release)
			.then(responder.respond(OK, Flux.empty()));
	}

	/** Serves nothing: for a side that only calls. */
	static SwaggerSocketStreamHandler none() {
		return (connection, request, responder) -> Mono.error(new IllegalStateException("Not serving"));
	}

	// ---- the wire

	/**
	 * The DATA payload bytes of the given frames, on one stream or all (0).
	 */
	static long dataBytes(List<Frame> frames, int streamId) {
		return frames.stream()
			.filter(Frame.Data.class::isInstance)
			.map(Frame.Data.class::cast)
			.filter((data) -> streamId == 0 || data.streamId() == streamId)
			.mapToLong((data) -> data.data().remaining())
			.sum();
	}

	/**
	 * The credit granted by the given frames' WINDOW_UPDATEs on one stream (0 for the
	 * connection).
	 */
	static long granted(List<Frame> frames, int streamId) {
		return frames.stream()
			.filter(Frame.WindowUpdate.class::isInstance)
			.map(Frame.WindowUpdate.class::cast)
			.filter((update) -> update.streamId() == streamId)
			.mapToLong(Frame.WindowUpdate::increment)
			.sum();
	}

	/**
	 * The frames of one stream but its WINDOW_UPDATEs (credit has tests of its own), in
	 * order, as "TYPE", "TYPE+END" or "RESET code".
	 */
	static List<String> shapes(List<Frame> frames, int streamId) {
		return frames.stream()
			.filter((frame) -> frame.streamId() == streamId && !(frame instanceof Frame.WindowUpdate))
			.map(TestConnectionPair::shape)
			.toList();
	}

	static String shape(Frame frame) {
		if (frame instanceof Frame.Headers headers) {
			return headers.endStream() ? "HEADERS+END" : "HEADERS";
		}
		if (frame instanceof Frame.Data data) {
			return data.endStream() ? "DATA+END" : "DATA";
		}
		if (frame instanceof Frame.Reset reset) {
			return "RESET " + reset.errorCode();
		}
		return frame.type().name();
	}

	/**
	 * Collapse runs of body frames, so that how a body is split does not matter: "DATA,
	 * DATA, DATA+END" becomes "DATA*, DATA+END".
	 */
	static List<String> collapsed(List<String> shapes) {
		List<String> result = new java.util.ArrayList<>();
		for (String shape : shapes) {
			if ("DATA".equals(shape)) {
				shape = "DATA*";
			}
			if ("DATA*".equals(shape) && !result.isEmpty() && "DATA*".equals(result.get(result.size() - 1))) {
				continue;
			}
			result.add(shape);
		}
		return result;
	}

}
