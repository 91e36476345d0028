package io.swaggersocket.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.swaggersocket.test.RedisServer;

import static org.awaitility.Awaitility.await;

/**
 * Every command a real Redis server executes, as its {@code MONITOR} reports them, so
 * that a test can count the reads of one key. {@link #sync()} waits until every command
 * Redis executed before it has been seen.
 */
final class RedisCommandLog implements AutoCloseable {

	private final RedisServer redis;

	private final Socket socket;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	private RedisCommandLog(RedisServer redis) throws IOException {
		this.redis = redis;
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), redis.port()), 1000);
		OutputStream out = this.socket.getOutputStream();
		out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
		out.flush();
		BufferedReader in = new BufferedReader(
				new InputStreamReader(this.socket.getInputStream(), StandardCharsets.UTF_8));
		String ok = in.readLine();
		if (!"+OK".equals(ok)) {
			this.socket.close();
			throw new IllegalStateException("MONITOR answered " + ok);
		}
		Thread reader = new Thread(() -> {
			try {
				String line;
				while ((line = in.readLine()) != null) {
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// closed
			}
		}, "redis-monitor");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Start logging the commands of a server.
	 * @param redis the server
	 * @return the log
	 */
	static RedisCommandLog start(RedisServer redis) throws IOException {
		return new RedisCommandLog(redis);
	}

	/**
	 * Wait until the log holds every command Redis executed before this call: Redis
	 * reports commands in the order it executes them, so a marker sent now comes after
	 * them.
	 */
	void sync() {
		String marker = "sync-" + UUID.randomUUID();
		this.redis.command("ECHO", marker);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.lines.stream().anyMatch((line) -> line.endsWith("\"ECHO\" \"" + marker + "\"")));
	}

	/**
	 * Count the {@code GET}s of a key that clients sent (not scripts).
	 * @param key the key
	 * @return how many Redis executed so far
	 */
	long gets(String key) {
		String command = "] \"GET\" \"" + key + "\"";
		return this.lines.stream().filter((line) -> line.endsWith(command) && !line.contains("[0 lua]")).count();
	}

	/**
	 * Count the commands that a script ran on a key.
	 * @param command the command, as {@code ZRANGEBYSCORE}
	 * @param key its first argument
	 * @return how many Redis executed so far
	 */
	long fromScripts(String command, String key) {
		String run = "[0 lua] \"" + command + "\" \"" + key + "\"";
		return this.lines.stream().filter((line) -> line.contains(run)).count();
	}

	/**
	 * Count the {@code MGET}s that name a key among theirs.
	 * @param key the key
	 * @return how many Redis executed so far
	 */
	long multiGets(String key) {
		return this.lines.stream()
			.filter((line) -> line.contains("] \"MGET\" ") && line.contains(" \"" + key + "\""))
			.count();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
