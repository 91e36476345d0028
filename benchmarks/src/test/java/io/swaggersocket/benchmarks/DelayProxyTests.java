package io.swaggersocket.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long-link proxy of the benchmark: it must deliver every byte in order, each
 * direction no earlier than its delay, and stop reading a side whose bytes the other side
 * does not take, instead of buffering them without bound.
 */
class DelayProxyTests {

	private static final Duration DELAY = Duration.ofMillis(25);

	@Test
	void deliversEveryByteInOrderOneRoundTripLater() throws Exception {
		byte[] sent = new byte[4 * 1024 * 1024];
		ThreadLocalRandom.current().nextBytes(sent);
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Thread echo = new Thread(() -> echoOnce(server));
			echo.start();
			try (DelayProxy proxy = new DelayProxy(server.getLocalPort(), DELAY, 1024 * 1024);
					Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
				long start = System.nanoTime();
				client.getOutputStream().write(sent, 0, 1);
				byte[] first = client.getInputStream().readNBytes(1);
				long roundTrip = System.nanoTime() - start;
				Thread writer = new Thread(() -> write(client, Arrays.copyOfRange(sent, 1, sent.length)));
				writer.start();
				byte[] rest = client.getInputStream().readNBytes(sent.length - 1);
				writer.join();

				assertThat(roundTrip).isGreaterThanOrEqualTo(DELAY.multipliedBy(2).toNanos());
				assertThat(first).containsExactly(sent[0]);
				assertThat(rest).isEqualTo(Arrays.copyOfRange(sent, 1, sent.length));
			}
			echo.join();
		}
	}

	@Test
	void stopsReadingASideWhoseBytesAreNotTaken() throws Exception {
		long limit = 1024 * 1024;
		long attempted = 256L * 1024 * 1024;
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				DelayProxy proxy = new DelayProxy(server.getLocalPort(), DELAY, limit);
				SocketChannel client = SocketChannel
					.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()));
				Socket neverReads = server.accept()) {
			client.configureBlocking(false);
			ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
			long written = 0;
			long lastProgress = System.nanoTime();
			long deadline = lastProgress + Duration.ofSeconds(60).toNanos();
			// write as fast as the sockets take it, until they have taken nothing for a
			// second: the kernel buffers on both sides of the proxy fill, then the
			// proxy's
			// bound, then nothing moves
			while (written < attempted && System.nanoTime() - lastProgress < Duration.ofSeconds(1).toNanos()
					&& System.nanoTime() < deadline) {
				chunk.clear();
				int n = client.write(chunk);
				if (n > 0) {
					written += n;
					lastProgress = System.nanoTime();
				}
			}

			// socket buffers on loopback hold some tens of MiB at most; an unbounded
			// proxy
			// would have taken everything
			assertThat(written).isLessThan(attempted / 2);
			assertThat(neverReads.isConnected()).isTrue();
		}
	}

	private static void echoOnce(ServerSocket server) {
		try (Socket socket = server.accept()) {
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			byte[] buffer = new byte[64 * 1024];
			int read;
			while ((read = in.read(buffer)) > 0) {
				out.write(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			// the proxy closed the connection at the end of the test
		}
	}

	private static void write(Socket socket, byte[] bytes) {
		try {
			socket.getOutputStream().write(bytes);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
