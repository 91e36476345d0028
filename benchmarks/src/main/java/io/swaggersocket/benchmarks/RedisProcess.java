package io.swaggersocket.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A {@code redis-server} for the cluster section, on a free loopback port, without
 * persistence ({@code --save "" --appendonly no}); its output goes to a temporary file.
 */
final class RedisProcess implements AutoCloseable {

	private static final int ATTEMPTS = 5;

	private final Process process;

	final int port;

	private RedisProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Find {@code redis-server}: {@code bench.cluster.redis-server} if set, else on the
	 * {@code PATH}.
	 * @return its path, or {@code null} if it is not installed
	 */
	static @Nullable String executable() {
		String configured = System.getProperty("bench.cluster.redis-server");
		if (configured != null && !configured.isBlank()) {
			return Files.isExecutable(Path.of(configured)) ? configured : null;
		}
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String directory : path.split(File.pathSeparator)) {
			Path candidate = Path.of(directory, "redis-server");
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		return null;
	}

	/**
	 * Start a server on a free port; another process may take the port between the probe
	 * and the server's bind, so a few ports are tried.
	 * @param executable the {@code redis-server} to run
	 * @return the running server
	 */
	static RedisProcess start(String executable) {
		IllegalStateException failure = null;
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			int port = freePort();
			try {
				Path log = Files.createTempFile("bench-redis-" + port + "-", ".log");
				log.toFile().deleteOnExit();
				Process process = new ProcessBuilder(executable, "--port", String.valueOf(port), "--bind", "127.0.0.1",
						"--save", "", "--appendonly", "no")
					.redirectErrorStream(true)
					.redirectOutput(log.toFile())
					.start();
				RedisProcess redis = new RedisProcess(process, port);
				if (redis.awaitListening(Duration.ofSeconds(10))) {
					return redis;
				}
				redis.close();
				failure = new IllegalStateException(
						"redis-server did not listen on port " + port + " (see " + log + ")");
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot start " + executable, ex);
			}
		}
		throw (failure != null) ? failure : new IllegalStateException("redis-server did not start");
	}

	String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	private boolean awaitListening(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline && this.process.isAlive()) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
				return true;
			}
			catch (IOException ex) {
				Topology.sleep(20);
			}
		}
		return false;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

}
