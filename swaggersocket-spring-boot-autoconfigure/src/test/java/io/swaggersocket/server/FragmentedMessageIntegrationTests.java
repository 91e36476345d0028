package io.swaggersocket.server;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import io.swaggersocket.client.ReconnectPolicy;
import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.FailureReason;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawTcpWebSocket;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WebSocket message may arrive fragmented into continuation frames; reassembled, it is
 * held to the same limit as a single frame: beyond it the server (or the client) closes
 * with 1009 and releases the TCP connection, before the handshake as after it, and a peer
 * still writing its message reads that 1009 before the end of the stream. A connection
 * that leaves the registry has closed its transport.
 */
class FragmentedMessageIntegrationTests {

	/**
	 * Far below the handshake timeout, so that only the reaction to the message can close
	 * the socket.
	 */
	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final int FRAGMENT = 40 * 1024;

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static URI uri;

	@BeforeAll
	static void start() {
		server = apps.server("swaggersocket.limits.handshake-timeout=60s");
		uri = URI.create(socketUrl(server));
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void oversizedFragmentedMessageBeforeHelloClosesWith1009AndReleasesTheSocket() throws Exception {
		try (RawTcpWebSocket raw = RawTcpWebSocket.connect(uri, CLOSE_WAIT)) {
			// two fragments of 40 KiB: 80 KiB, over the 64 KiB + 10 bytes a message may
			// have
			raw.sendFrame(RawTcpWebSocket.BINARY, false, new byte[FRAGMENT]);
			raw.sendFrame(RawTcpWebSocket.CONTINUATION, false, new byte[FRAGMENT]);
			assertThat(raw.awaitTransportClosed()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
		}
	}

	@Test
	void oversizedFragmentedMessageAfterTheHandshakeClosesWith1009AndReleasesTheSocket() throws Exception {
		try (RawTcpWebSocket raw = RawTcpWebSocket.connect(uri, CLOSE_WAIT)) {
			String id = handshake(raw);
			raw.sendFrame(RawTcpWebSocket.BINARY, false, new byte[FRAGMENT]);
			raw.sendFrame(RawTcpWebSocket.CONTINUATION, false, new byte[FRAGMENT]);
			assertThat(raw.awaitTransportClosed()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			assertThat(registry(server).find(id)).isEmpty();
			SwaggerSocketFailedEvent failed = events(server).events(SwaggerSocketFailedEvent.class)
				.stream()
				.filter((event) -> event.getInfo().id().equals(id))
				.findFirst()
				.orElseThrow();
			assertThat(failed.getCloseCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			assertThat(failed.getReason()).isEqualTo(FailureReason.PROTOCOL_ERROR);
		}
	}

	@Test
	void agentClosesWith1009AndReleasesTheSocketWhenTheHubSendsAnOversizedFragmentedMessage() throws Exception {
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			apps.client("ws://127.0.0.1:" + listener.getLocalPort() + "/swaggersocket");
			try (RawTcpWebSocket hub = RawTcpWebSocket.accept(listener, CLOSE_WAIT)) {
				hub.sendFrame(RawTcpWebSocket.BINARY, false, new byte[FRAGMENT]);
				hub.sendFrame(RawTcpWebSocket.CONTINUATION, false, new byte[FRAGMENT]);
				assertThat(hub.awaitTransportClosed()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			}
		}
	}

	@Test
	void agentAnswersAFrameOverTheLimitWith1009ThatTheHubReadsAfterWritingItAll() throws Exception {
		try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			apps.client("ws://127.0.0.1:" + listener.getLocalPort() + "/swaggersocket");
			try (RawTcpWebSocket hub = RawTcpWebSocket.accept(listener, CLOSE_WAIT)) {
				// far more than the socket buffers hold: the agent has answered long
				// before this write ends, and must not reset it
				hub.sendFrame(RawTcpWebSocket.BINARY, true, new byte[4 * 1024 * 1024]);
				assertThat(hub.awaitTransportClosed()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			}
		}
	}

	@Test
	void agentAnswersAFrameOverTheLimitWith1009OverTls(@TempDir Path dir) throws Exception {
		char[] password = "changeit".toCharArray();
		KeyStore keyStore = selfSignedKeyStore(dir.resolve("hub.p12"), password);
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(keyStore, password);
		SSLContext tls = SSLContext.getInstance("TLS");
		tls.init(keys.getKeyManagers(), null, null);
		X509Certificate certificate = (X509Certificate) keyStore.getCertificate("hub");
		HttpClient trusting = HttpClient.create()
			.secure((spec) -> spec.sslContext(
					Http11SslContextSpec.forClient().configure((builder) -> builder.trustManager(certificate))));
		try (ServerSocket listener = tls.getServerSocketFactory()
			.createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			SwaggerSocketClient agent = new SwaggerSocketClient(
					URI.create("wss://127.0.0.1:" + listener.getLocalPort() + "/swaggersocket"), Map::of,
					HttpHeaders::new, new ReconnectPolicy(Duration.ofMinutes(1), Duration.ofMinutes(1), 0),
					server.getBean(ConnectionManager.class), trusting);
			agent.start();
			try (RawTcpWebSocket hub = RawTcpWebSocket.accept(listener, CLOSE_WAIT)) {
				// the close frame has to pass through TLS like every other frame
				hub.sendFrame(RawTcpWebSocket.BINARY, true, new byte[4 * 1024 * 1024]);
				assertThat(hub.awaitTransportClosed()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
			}
			finally {
				agent.stop();
			}
		}
	}

	private static KeyStore selfSignedKeyStore(Path file, char[] password) throws Exception {
		Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
				"-genkeypair", "-alias", "hub", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
				"-storepass", new String(password))
			.redirectErrorStream(true)
			.start();
		String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(keytool.waitFor()).as(output).isZero();
		KeyStore keyStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(file)) {
			keyStore.load(in, password);
		}
		return keyStore;
	}

	/**
	 * Whatever takes a connection out of the registry, its TCP connection is closed too,
	 * within a bound: here a peer that answers no heartbeat, and the application closing
	 * it.
	 */
	@Test
	void aConnectionThatLeavesTheRegistryClosesItsTransport() throws Exception {
		ConfigurableApplicationContext hub = apps.server("swaggersocket.heartbeat.interval=200ms",
				"swaggersocket.heartbeat.timeout=1s");
		URI hubUri = URI.create(socketUrl(hub));
		try (RawTcpWebSocket silent = RawTcpWebSocket.connect(hubUri, CLOSE_WAIT);
				RawTcpWebSocket closed = RawTcpWebSocket.connect(hubUri, CLOSE_WAIT)) {
			String silentId = handshake(hub, silent);
			String closedId = handshake(hub, closed);
			registry(hub).find(closedId).orElseThrow().close().block(CLOSE_WAIT);
			assertThat(registry(hub).find(closedId)).isEmpty();
			assertThat(closed.awaitTransportClosed()).isEqualTo(CloseCodes.NORMAL);
			// the silent peer reads (and never answers) the pings until the hub gives up
			// on it
			assertThat(silent.awaitTransportClosed()).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
			assertThat(registry(hub).find(silentId)).isEmpty();
		}
	}

	@Test
	void fragmentedMessageWithinTheLimitIsReassembled() throws Exception {
		try (RawTcpWebSocket raw = RawTcpWebSocket.connect(uri, CLOSE_WAIT)) {
			handshake(raw);
			byte[] request = encode(new Frame.Headers(1, true,
					List.of(new Header(":method", "GET"), new Header(":path", "/fn/echo?q=pieces"))));
			int half = request.length / 2;
			raw.sendFrame(RawTcpWebSocket.BINARY, false, java.util.Arrays.copyOfRange(request, 0, half));
			raw.sendFrame(RawTcpWebSocket.CONTINUATION, true,
					java.util.Arrays.copyOfRange(request, half, request.length));
			Frame answer = raw.receive();
			assertThat(answer).isInstanceOfSatisfying(Frame.Headers.class,
					(headers) -> assertThat(headers.headers()).contains(new Header(":status", "200")));
		}
	}

	private static String handshake(RawTcpWebSocket raw) throws Exception {
		return handshake(server, raw);
	}

	private static String handshake(ConfigurableApplicationContext hub, RawTcpWebSocket raw) throws Exception {
		int before = events(hub).events(SwaggerSocketConnectedEvent.class).size();
		raw.send(new Frame.Hello("{\"metadata\":{}}"));
		assertThat(raw.receive()).isInstanceOf(Frame.Welcome.class);
		raw.send(new Frame.Ready());
		return events(hub).await(SwaggerSocketConnectedEvent.class, before + 1, CLOSE_WAIT).getInfo().id();
	}

	private static byte[] encode(Frame frame) {
		java.nio.ByteBuffer encoded = new FrameCodec(64 * 1024, 16 * 1024).encode(frame);
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		return bytes;
	}

}
