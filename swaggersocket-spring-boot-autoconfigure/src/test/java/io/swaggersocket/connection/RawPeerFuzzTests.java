package io.swaggersocket.connection;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.BareWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fuzzer over real sockets: many raw peers connect to a real Boot server, complete the
 * handshake (or not), send valid, mutated and random frames and WebSocket messages, and
 * end in every way a peer can. Afterwards nothing was logged at ERROR, a well-behaved
 * client connected all along still works, every fuzzing connection is gone, and heap and
 * file descriptors are back where they were. The figures are printed.
 *
 * <p>
 * The default run takes a few seconds and is part of the build. A longer one: <pre>
 * ./mvnw -pl swaggersocket-spring-boot-autoconfigure test -Dtest=RawPeerFuzzTests \
 *     -Dswaggersocket.fuzz.connections=40000 -Dswaggersocket.fuzz.frames=100
 * </pre> Other properties: {@code swaggersocket.fuzz.seed} (to replay a run's choices),
 * {@code swaggersocket.fuzz.parallelism} (peers at once, default 8) and
 * {@code swaggersocket.fuzz.histogram} (print the live-object histogram at the end).
 */
class RawPeerFuzzTests {

	private static final int CONNECTIONS = Integer.getInteger("swaggersocket.fuzz.connections", 100);

	private static final int FRAMES = Integer.getInteger("swaggersocket.fuzz.frames", 40);

	private static final int PARALLELISM = Integer.getInteger("swaggersocket.fuzz.parallelism", 8);

	private static final long SEED = Long.getLong("swaggersocket.fuzz.seed", System.nanoTime());

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

	private static final long HEAP_SLACK = 64L * 1024 * 1024;

	private static final int FD_SLACK = 32;

	private static final FrameCodec CODEC = new FrameCodec(64 * 1024, 16 * 1024);

	private static final String[] PATHS = { "/mvc/echo?q=fuzz", "/fn/echo?q=1", "/stream/short-sse",
			"/stream/download?size=70000", "/stream/sse", "/mvc/headers", "/nowhere", "/actuator/health" };

	private static final TestApplications apps = new TestApplications();

	private static final ErrorRecorder errors = new ErrorRecorder();

	private static ConfigurableApplicationContext server;

	private static ConfigurableApplicationContext client;

	private static URI uri;

	private final LongAdder framesSent = new LongAdder();

	private final LongAdder messagesReceived = new LongAdder();

	private final LongAdder handshakes = new LongAdder();

	private final Map<String, AtomicLong> reactions = new ConcurrentHashMap<>();

	@BeforeAll
	static void start() {
		server = apps.server("swaggersocket.limits.handshake-timeout=1s");
		client = apps.client(socketUrl(server), "swaggersocket.client.metadata.name=good");
		events(client).await(SwaggerSocketConnectedEvent.class);
		uri = URI.create(socketUrl(server));
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		errors.setContext(root.getLoggerContext());
		errors.start();
		root.addAppender(errors);
	}

	@AfterAll
	static void stop() {
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(errors);
		apps.close();
	}

	@Test
	void rawPeersCannotHurtTheServer() throws Exception {
		long heapBefore = usedHeapAfterGc();
		long fdsBefore = openFileDescriptors();
		long started = System.nanoTime();
		ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM);
		try {
			List<Future<?>> runs = new ArrayList<>();
			for (int i = 0; i < CONNECTIONS; i++) {
				long seed = SEED + i;
				boolean forgetEvents = (i % 1000 == 999);
				runs.add(pool.submit(() -> {
					fuzzOneConnection(new Random(seed));
					if (forgetEvents) {
						// the test's event recorder holds every connection it heard of
						events(server).clear();
					}
					return null;
				}));
			}
			for (Future<?> run : runs) {
				run.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		// every fuzzing connection is gone, the good one is untouched and idle
		SwaggerSocketConnections registry = registry(server);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(registry.list())
				.allSatisfy((connection) -> assertThat(connection.info().metadata()).containsEntry("name", "good")));
		assertThat(registry.list()).hasSize(1).allSatisfy((connection) -> {
			assertThat(connection.isOpen()).isTrue();
			assertThat(connection.activeStreams()).isZero();
		});
		assertThat(events(client).events(SwaggerSocketFailedEvent.class)).isEmpty();
		String echoed = client.getBean(io.swaggersocket.http.SwaggerSocketWebClients.class)
			.server()
			.get()
			.uri("/mvc/echo?q=still-alive")
			.retrieve()
			.bodyToMono(String.class)
			.block(READ_TIMEOUT);
		assertThat(echoed).contains("still-alive");

		events(server).clear();
		await().atMost(Duration.ofSeconds(10)).until(() -> openFileDescriptors() <= fdsBefore + FD_SLACK);
		long fdsAfter = openFileDescriptors();
		long heapAfter = usedHeapAfterGc();

		System.out.printf(
				"%nRawPeerFuzzTests seed=%d: %d connections (%d handshakes completed), %d frames sent, "
						+ "%d messages received, in %d ms%n",
				SEED, CONNECTIONS, this.handshakes.sum(), this.framesSent.sum(), this.messagesReceived.sum(),
				took.toMillis());
		System.out.println("  reactions: " + new TreeMap<>(this.reactions));
		System.out.printf("  heap after GC: %d KiB before, %d KiB after; open file descriptors: %d before, %d after%n",
				heapBefore / 1024, heapAfter / 1024, fdsBefore, fdsAfter);
		System.out.println("  ERROR records: " + errors.events.size());

		if (heapAfter >= heapBefore + HEAP_SLACK || Boolean.getBoolean("swaggersocket.fuzz.histogram")) {
			System.out.println(classHistogram());
		}
		assertThat(errors.events).as("ERROR records").isEmpty();
		assertThat(this.reactions.keySet()).as("a reset or a second close frame although the peer kept to RFC 6455")
			.noneMatch((reaction) -> reaction.endsWith("(framing intact)"));
		assertThat(this.reactions.keySet()).as("connections the server left hanging, or unreadable answers")
			.noneMatch((reaction) -> reaction.startsWith("still open") || reaction.startsWith("read failed"));
		assertThat(heapAfter).isLessThan(heapBefore + HEAP_SLACK);
		assertThat(fdsAfter).isLessThanOrEqualTo(fdsBefore + FD_SLACK);
	}

	private void fuzzOneConnection(Random random) {
		BareWebSocket peer;
		try {
			peer = BareWebSocket.connect(uri, READ_TIMEOUT);
		}
		catch (IOException ex) {
			count("connect failed: " + ex.getClass().getSimpleName());
			return;
		}
		// most peers answer a close frame, as RFC 6455 asks; the others leave the server
		// to its grace period
		Reader reader = new Reader(peer, random.nextInt(10) != 0);
		reader.start();
		try (peer) {
			int mode = random.nextInt(10);
			if (mode < 6) {
				peer.send(new Frame.Hello("{\"metadata\":{\"name\":\"fuzz\"},\"settings\":{\"maxFrameSize\":"
						+ (16384 + random.nextInt(65536)) + "}}"));
				this.framesSent.increment();
				if (reader.awaitWelcome()) {
					peer.send(new Frame.Ready());
					this.framesSent.increment();
					this.handshakes.increment();
				}
			}
			else if (mode < 8) {
				sendMutated(peer, random, CODEC.encode(new Frame.Hello("{\"metadata\":{\"name\":\"fuzz\"}}")));
			}
			int frames = random.nextInt(FRAMES + 1);
			int nextId = 1;
			// a third of the peers only send well-formed frames, a third break the
			// protocol but
			// not the WebSocket framing, a third do anything
			int hostility = random.nextInt(3);
			int bound = (hostility == 0) ? 48 : (hostility == 1) ? 93 : 100;
			for (int i = 0; i < frames && !reader.closed; i++) {
				nextId = sendSomething(peer, random, random.nextInt(bound), nextId, reader);
			}
			end(peer, random, reader);
		}
		catch (IOException ex) {
			// the server ended the connection while we were still writing: a reaction,
			// not a failure
			count("writing stopped after " + reader.reaction());
		}
		finally {
			reader.awaitEnd();
		}
	}

	/**
	 * One frame or message chosen by {@code dice} (0 to 99): below 48 well-formed, up to
	 * 93 also mutated frames and stray messages, above that WebSocket framing violations.
	 */
	private int sendSomething(BareWebSocket peer, Random random, int dice, int nextId, Reader reader)
			throws IOException {
		int id = nextId;
		if (dice < 30) {
			String path = PATHS[random.nextInt(PATHS.length)];
			boolean body = random.nextInt(4) == 0;
			send(peer, new Frame.Headers(id, !body, List.of(new Header(Header.METHOD, body ? "POST" : "GET"),
					new Header(Header.PATH, path), new Header("x-fuzz", Integer.toString(random.nextInt())))));
			if (body) {
				byte[] bytes = new byte[random.nextInt(3000)];
				random.nextBytes(bytes);
				send(peer, new Frame.Data(id, random.nextBoolean(), ByteBuffer.wrap(bytes)));
			}
			return nextId + 2;
		}
		if (dice < 40) {
			send(peer, new Frame.WindowUpdate(random.nextInt(nextId + 1), 1 + random.nextInt(1 << 20)));
		}
		else if (dice < 48) {
			send(peer, new Frame.Reset(1 + random.nextInt(nextId + 1), ErrorCode.of(random.nextInt(10))));
		}
		else if (dice < 54) {
			byte[] bytes = new byte[random.nextInt(100)];
			random.nextBytes(bytes);
			send(peer, new Frame.Data(1 + random.nextInt(nextId + 1), random.nextBoolean(), ByteBuffer.wrap(bytes)));
		}
		else if (dice < 56) {
			send(peer, new Frame.GoAway(random.nextInt(nextId + 1), ErrorCode.NO_ERROR, "fuzz"));
		}
		else if (dice < 58) {
			send(peer, new Frame.Hello("{\"metadata\":{}}"));
		}
		else if (dice < 80) {
			Frame frame = new Frame.Headers(id, random.nextBoolean(), List.of(new Header(Header.METHOD, "GET"),
					new Header(Header.PATH, PATHS[random.nextInt(PATHS.length)])));
			sendMutated(peer, random, CODEC.encode(frame));
			return nextId + 2;
		}
		else if (dice < 86) {
			byte[] bytes = new byte[random.nextInt(64)];
			random.nextBytes(bytes);
			peer.sendFrame(true, BareWebSocket.BINARY, bytes);
		}
		else if (dice < 90) {
			byte[] ping = new byte[random.nextInt(126)];
			random.nextBytes(ping);
			peer.sendFrame(true, random.nextBoolean() ? BareWebSocket.PING : BareWebSocket.PONG, ping);
		}
		else if (dice < 93) {
			// a message in two fragments: legal WebSocket, one protocol frame once
			// reassembled
			// (legal unless the server's close comes between the two: then the
			// continuation is a violation)
			reader.brokeFraming |= reader.closed;
			ByteBuffer encoded = CODEC.encode(new Frame.WindowUpdate(0, 1));
			byte[] bytes = new byte[encoded.remaining()];
			encoded.get(bytes);
			peer.sendFrame(false, BareWebSocket.BINARY, java.util.Arrays.copyOfRange(bytes, 0, 4));
			peer.sendFrame(true, 0x0, java.util.Arrays.copyOfRange(bytes, 4, bytes.length));
		}
		else if (dice < 95) {
			peer.sendFrame(true, BareWebSocket.TEXT, "fuzz".getBytes(StandardCharsets.UTF_8));
		}
		else if (dice < 97) {
			// a WebSocket frame the RFC forbids: reserved opcode, or a continuation with
			// nothing to continue
			reader.brokeFraming = true;
			peer.sendFrame(true, random.nextBoolean() ? 0x3 : 0x0, new byte[] { 1, 2, 3 });
		}
		else {
			// a message over every limit: only its header is sent, the server must not
			// wait for the rest
			reader.brokeFraming = true;
			peer.sendFrame(true, BareWebSocket.BINARY, new byte[0]);
			byte[] header = ByteBuffer.allocate(14)
				.put((byte) 0x82)
				.put((byte) 0xFF)
				.putLong(200 * 1024)
				.putInt(random.nextInt())
				.array();
			peer.sendRaw(header);
		}
		this.framesSent.increment();
		return nextId;
	}

	private void send(BareWebSocket peer, Frame frame) throws IOException {
		peer.send(frame);
		this.framesSent.increment();
	}

	private void sendMutated(BareWebSocket peer, Random random, ByteBuffer encoded) throws IOException {
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		switch (random.nextInt(6)) {
			case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
			case 1 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
			case 2 -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
			case 3 -> bytes[0] = (byte) random.nextInt(256);
			case 4 -> ByteBuffer.wrap(bytes).putInt(6, random.nextInt());
			default -> ByteBuffer.wrap(bytes).putInt(2, random.nextInt());
		}
		peer.sendFrame(true, BareWebSocket.BINARY, bytes);
		this.framesSent.increment();
	}

	/**
	 * End as peers do: answer or start a close handshake, vanish, or reset the TCP
	 * connection.
	 */
	private void end(BareWebSocket peer, Random random, Reader reader) throws IOException {
		switch (random.nextInt(4)) {
			case 0 -> {
				count("peer ended: TCP reset");
				peer.socket().setSoLinger(true, 0);
			}
			case 1 -> count("peer ended: TCP close without a close frame");
			default -> {
				if (!reader.closed) {
					count("peer ended: close frame");
					peer.sendClose(1000);
				}
				reader.awaitEnd();
			}
		}
	}

	private void count(String reaction) {
		this.reactions.computeIfAbsent(reaction, (key) -> new AtomicLong()).incrementAndGet();
	}

	private static long usedHeapAfterGc() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** The top of the live-object histogram, to see what a heap that grew holds. */
	private static String classHistogram() {
		try {
			Object histogram = ManagementFactory.getPlatformMBeanServer()
				.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
						"gcClassHistogram", new Object[] { null }, new String[] { String[].class.getName() });
			return ((String) histogram).lines().limit(30).collect(java.util.stream.Collectors.joining("\n"));
		}
		catch (Exception ex) {
			return "No class histogram: " + ex;
		}
	}

	private static long openFileDescriptors() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
			return unix.getOpenFileDescriptorCount();
		}
		return 0;
	}

	/**
	 * Reads what the server sends and counts its reactions, until a close, the end, or a
	 * reset.
	 */
	private final class Reader extends Thread {

		private final BareWebSocket peer;

		private final boolean answersClose;

		private volatile boolean welcomed;

		/**
		 * A WebSocket-level violation, which Netty answers by closing the TCP connection
		 * at once.
		 */
		private volatile boolean brokeFraming;

		private volatile boolean closed;

		private volatile String reaction = "no close frame";

		private final java.util.concurrent.CountDownLatch welcome = new java.util.concurrent.CountDownLatch(1);

		Reader(BareWebSocket peer, boolean answersClose) {
			super("fuzz-reader");
			setDaemon(true);
			this.peer = peer;
			this.answersClose = answersClose;
		}

		@Override
		public void run() {
			try {
				while (true) {
					BareWebSocket.WsFrame frame = this.peer.readFrame();
					RawPeerFuzzTests.this.messagesReceived.increment();
					if (frame.opcode() == BareWebSocket.CLOSE) {
						this.reaction = "close " + frame.closeCode();
						this.closed = true;
						count(this.reaction);
						this.welcome.countDown();
						if (this.answersClose) {
							answerClose(frame.closeCode());
						}
						endOfStream();
						return;
					}
					if (frame.opcode() == BareWebSocket.BINARY) {
						Frame decoded = frame.frame();
						if (decoded instanceof Frame.Welcome) {
							this.welcomed = true;
							this.welcome.countDown();
						}
						else if (decoded instanceof Frame.Reset reset) {
							count("RESET " + reset.errorCode());
						}
						else if (decoded instanceof Frame.GoAway goAway) {
							count("GOAWAY " + goAway.errorCode());
						}
					}
				}
			}
			catch (java.net.SocketTimeoutException ex) {
				count("still open after " + READ_TIMEOUT.toSeconds() + " s of silence");
			}
			catch (IOException ex) {
				// ended by this side (socket closed) or reset by the server after its
				// close
				if (!this.peer.socket().isClosed()) {
					if (!"Connection reset".equals(ex.getMessage())) {
						count("read failed: " + ex);
						return;
					}
					String framing = this.brokeFraming ? " (peer broke RFC 6455 framing)" : " (framing intact)";
					count((this.closed ? "TCP reset after " + this.reaction : "TCP ended without a close") + framing);
				}
			}
			finally {
				this.closed = true;
				this.welcome.countDown();
			}
		}

		/**
		 * After the close: a FIN, or (only when this peer broke the WebSocket framing,
		 * which Netty's decoder answers with a close frame of its own and an immediate
		 * TCP close) a second close frame or a reset.
		 */
		private void endOfStream() throws IOException {
			try {
				this.peer.readsEndOfStream();
				count("TCP ended with FIN after " + this.reaction);
			}
			catch (IOException ex) {
				String framing = this.brokeFraming ? " (peer broke RFC 6455 framing)" : " (framing intact)";
				if (ex.getMessage() != null && ex.getMessage().startsWith("Expected the end")) {
					count("a frame after close (first byte " + ex.getMessage().replaceAll("\\D", "") + ") after "
							+ this.reaction + framing);
				}
				else {
					throw ex;
				}
			}
		}

		/**
		 * The two sides may have sent their close frames at the same time: then there is
		 * nothing to answer.
		 */
		private void answerClose(int code) {
			try {
				this.peer.sendClose(code);
			}
			catch (IOException ex) {
				// already sent ours, or the server is gone: the read that follows tells
				// which
			}
		}

		boolean awaitWelcome() {
			try {
				this.welcome.await(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return this.welcomed && !this.closed;
		}

		void awaitEnd() {
			try {
				join(READ_TIMEOUT.toMillis() * 2);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		String reaction() {
			return this.reaction;
		}

	}

	/** Keeps every ERROR record, from any logger. */
	private static final class ErrorRecorder extends AppenderBase<ILoggingEvent> {

		private final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
				this.events.add(event.getLoggerName() + ": " + event.getFormattedMessage());
			}
		}

	}

}
