package io.swaggersocket.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for the
 * cluster tests. Tests skip (an assumption, saying why) where {@code redis-server} is not
 * installed; {@code .ci/run} installs it. {@link #stop()} and {@link #start()} take the
 * same port down and up again, to model an outage of Redis and its end.
 */
public final class RedisServer implements AutoCloseable {

	private static final int ATTEMPTS = 5;

	private final String executable;

	private int port;

	private Process process;

	private RedisServer(String executable) {
		this.executable = executable;
	}

	/**
	 * Start a server on a free port, or skip the test if {@code redis-server} is not
	 * installed.
	 * @return the running server
	 */
	public static RedisServer startOnFreePort() {
		String executable = executable();
		Assumptions.assumeTrue(executable != null,
				"redis-server is not installed (apt-get install redis-server): the cluster tests need a real Redis");
		RedisServer server = new RedisServer(executable);
		IllegalStateException failure = null;
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			server.port = freePort();
			try {
				server.start();
				return server;
			}
			catch (IllegalStateException ex) {
				// another process took the port between our probe and redis-server's bind
				failure = ex;
			}
		}
		throw failure;
	}

	/** Start (again) on this server's port. */
	public void start() {
		if (this.process != null && this.process.isAlive()) {
			return;
		}
		try {
			Path log = Files.createTempFile("redis-server-" + this.port + "-", ".log");
			log.toFile().deleteOnExit();
			this.process = new ProcessBuilder(this.executable, "--port", String.valueOf(this.port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			Process started = this.process;
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
				if (!started.isAlive()) {
					throw new IllegalStateException("redis-server exited on port " + this.port + ": "
							+ Files.readString(log, StandardCharsets.UTF_8));
				}
				return ping();
			});
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start redis-server", ex);
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			stop();
			throw new IllegalStateException("redis-server did not answer PING on port " + this.port, ex);
		}
		catch (RuntimeException ex) {
			Throwable cause = (ex.getCause() instanceof IllegalStateException) ? ex.getCause() : ex;
			stop();
			throw (cause instanceof IllegalStateException state) ? state : new IllegalStateException(cause);
		}
	}

	/** Stop the server (its data is lost); {@link #start()} brings it back. */
	public void stop() {
		Process process = this.process;
		if (process == null) {
			return;
		}
		process.destroy();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.process = null;
	}

	public int port() {
		return this.port;
	}

	/** The {@code spring.data.redis.url} of this server. */
	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Properties of a hub in a cluster on this server: Boot's Redis support switched back
	 * on (see {@link TestApplications}), with a command timeout short enough that Boot's
	 * Redis health answers while Redis is down, and the cluster enabled, with a secret.
	 * @param more further properties
	 * @return the properties
	 */
	public String[] hubProperties(String... more) {
		List<String> all = new ArrayList<>();
		all.add("spring.autoconfigure.exclude=" + String.join(",", TestApplications.SECURITY_AUTO_CONFIGURATIONS));
		all.add("spring.data.redis.url=" + url());
		all.add("spring.data.redis.timeout=2s");
		all.add("swaggersocket.cluster.enabled=true");
		all.add("swaggersocket.cluster.secret=test-secret");
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	/**
	 * Run one command over a plain socket, for tests to look at Redis directly.
	 * @param arguments the command and its arguments
	 * @return the raw RESP reply
	 */
	public String command(String... arguments) {
		StringBuilder request = new StringBuilder("*" + arguments.length + "\r\n");
		for (String argument : arguments) {
			request.append("$")
				.append(argument.getBytes(StandardCharsets.UTF_8).length)
				.append("\r\n")
				.append(argument)
				.append("\r\n");
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 1000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			socket.shutdownOutput();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer", ex);
		}
	}

	private boolean ping() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
			socket.setSoTimeout(1000);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.readNBytes(reply, 0, reply.length);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() {
		stop();
	}

	private static String executable() {
		List<String> candidates = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				candidates.add(directory + File.separator + "redis-server");
			}
		}
		candidates.add("/usr/bin/redis-server");
		candidates.add("/usr/sbin/redis-server");
		candidates.add("/usr/local/bin/redis-server");
		return candidates.stream().filter((candidate) -> new File(candidate).canExecute()).findFirst().orElse(null);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
