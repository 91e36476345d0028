package io.swaggersocket.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connections that never finish their upgrade request must not stay open: an
 * internet-facing hub sets Reactor Netty's idle timeout
 * ({@code server.netty.idle-timeout}), which closes a connection that has not completed a
 * request head in time, silent or trickling, and leaves upgraded WebSocket connections
 * alone.
 */
class UnfinishedUpgradeIntegrationTests {

	private static final int CONNECTIONS = 20;

	private final TestApplications apps = new TestApplications();

	private final List<Socket> sockets = new ArrayList<>();

	@AfterEach
	void close() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		this.apps.close();
	}

	@Test
	void idleTimeoutClosesConnectionsThatNeverFinishTheirUpgradeRequest() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server("server.netty.idle-timeout=1s");
		int port = TestApplications.port(hub);
		for (int i = 0; i < CONNECTIONS; i++) {
			Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
			this.sockets.add(socket);
			if (i % 2 == 0) {
				// half a request line and headers, then nothing; the others send nothing
				// at all
				socket.getOutputStream()
					.write("GET /swaggersocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: web"
						.getBytes(StandardCharsets.US_ASCII));
			}
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.sockets.stream().allMatch(UnfinishedUpgradeIntegrationTests::closedByServer));
	}

	/**
	 * A byte every 200 ms does not make a connection busy: Reactor Netty's idle timeout
	 * counts the time without a complete request head, not without bytes.
	 */
	@Test
	void idleTimeoutAlsoClosesConnectionsThatTrickleTheirUpgradeRequest() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server("server.netty.idle-timeout=1s");
		int port = TestApplications.port(hub);
		for (int i = 0; i < CONNECTIONS; i++) {
			this.sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
		}
		byte[] head = "GET /swaggersocket HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
		ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
		AtomicInteger sent = new AtomicInteger();
		try {
			// one byte every 200 ms on each connection, far within the idle timeout
			trickle.scheduleAtFixedRate(() -> {
				int index = sent.getAndIncrement();
				for (Socket socket : this.sockets) {
					try {
						socket.getOutputStream().write((index < head.length) ? head[index] : 'a');
					}
					catch (IOException ex) {
						// closed by the server: what the test waits for
					}
				}
			}, 0, 200, TimeUnit.MILLISECONDS);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.sockets.stream().allMatch(UnfinishedUpgradeIntegrationTests::closedByServer));
			assertThat(sent.get()).as("bytes trickled before the last connection closed").isGreaterThan(5);
		}
		finally {
			trickle.shutdownNow();
		}
	}

	/**
	 * The idle timeout ends with the upgrade: an agent's socket with nothing to carry
	 * (and no heartbeat for 20 s) stays open well past it.
	 */
	@Test
	void idleTimeoutLeavesUpgradedConnectionsAlone() throws Exception {
		ConfigurableApplicationContext hub = this.apps.server("server.netty.idle-timeout=500ms");
		ConfigurableApplicationContext agent = this.apps.client(TestApplications.socketUrl(hub));
		SwaggerSocketConnection connection = TestApplications.events(hub)
			.await(SwaggerSocketConnectedEvent.class)
			.getConnection();
		TestApplications.events(agent).await(SwaggerSocketConnectedEvent.class);
		// open for three times the timeout without traffic, then still carrying calls
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(connection::isOpen);
		String answer = agent.getBean(SwaggerSocketWebClients.class)
			.server()
			.get()
			.uri("/fn/echo?q=late")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(5));
		assertThat(answer).contains("late");
		assertThat(connection.isOpen()).isTrue();
	}

	private static boolean closedByServer(Socket socket) {
		try {
			socket.setSoTimeout(1);
			InputStream in = socket.getInputStream();
			int read;
			while ((read = in.read()) != -1) {
				// a 408 or anything else before the end is fine
			}
			return true;
		}
		catch (java.net.SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return ex instanceof SocketException;
		}
	}

}
