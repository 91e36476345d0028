package io.swaggersocket.test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a bare socket that reports the framing of a response exactly as
 * it arrived (a terminating chunk, a content length, the connection closed), which a real
 * client hides: it tells a complete response from one the server aborted.
 */
public final class RawHttpConnection implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private RawHttpConnection(int port, Duration readTimeout) throws IOException {
		this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
		this.socket.setSoTimeout((int) readTimeout.toMillis());
		this.in = new java.io.BufferedInputStream(this.socket.getInputStream());
		this.out = this.socket.getOutputStream();
	}

	/**
	 * Connect to a loopback port.
	 * @param port the port
	 * @param readTimeout how long a read may block before the test fails: a bound for "it
	 * does not hang"
	 */
	public static RawHttpConnection connect(int port, Duration readTimeout) throws IOException {
		return new RawHttpConnection(port, readTimeout);
	}

	/** Send a request head (request line and fields, without the blank line). */
	public RawHttpConnection sendHead(String head) throws IOException {
		this.out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
		this.out.flush();
		return this;
	}

	/** Send body bytes. */
	public RawHttpConnection sendBytes(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	/** Read a response head. */
	public Head readHead() throws IOException {
		String statusLine = readLine();
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line = readLine(); !line.isEmpty(); line = readLine()) {
			int colon = line.indexOf(':');
			fields.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
					(a, b) -> a + ", " + b);
		}
		return new Head(Integer.parseInt(statusLine.split(" ")[1]), fields);
	}

	/**
	 * Read a body as its head frames it, calling {@code onProgress} with the number of
	 * body bytes read so far after every read.
	 * @param head the response head
	 * @param onProgress told the running count of body bytes
	 * @return what arrived and how it ended
	 */
	public Body readBody(Head head, java.util.function.LongConsumer onProgress) throws IOException {
		ByteArrayOutputStream kept = new ByteArrayOutputStream();
		long[] count = { 0 };
		byte[] buffer = new byte[64 * 1024];
		try {
			if ("chunked".equalsIgnoreCase(head.fields().get("transfer-encoding"))) {
				while (true) {
					String sizeLine = readLine();
					long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
					if (size == 0) {
						readLine();
						return new Body(kept.toByteArray(), count[0], true);
					}
					readExactly(size, buffer, kept, count, onProgress);
					readLine();
				}
			}
			String length = head.fields().get("content-length");
			if (length != null) {
				readExactly(Long.parseLong(length), buffer, kept, count, onProgress);
				return new Body(kept.toByteArray(), count[0], true);
			}
			int read;
			while ((read = this.in.read(buffer)) != -1) {
				keep(buffer, read, kept, count, onProgress);
			}
			return new Body(kept.toByteArray(), count[0], false);
		}
		catch (EndOfStream | SocketException ex) {
			return new Body(kept.toByteArray(), count[0], false);
		}
	}

	/**
	 * Whether the server closed the connection: end-of-stream or a reset, with no further
	 * bytes. Any byte read instead (the start of another response, say) means it did not.
	 */
	public boolean isClosedByServer() throws IOException {
		try {
			return this.in.read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	/** What follows on the connection until it closes or the read times out, as text. */
	public String readRemainder() throws IOException {
		ByteArrayOutputStream rest = new ByteArrayOutputStream();
		try {
			int read;
			while ((read = this.in.read()) != -1) {
				rest.write(read);
			}
		}
		catch (SocketTimeoutException | SocketException ex) {
			// nothing more
		}
		return rest.toString(StandardCharsets.ISO_8859_1);
	}

	private void readExactly(long size, byte[] buffer, ByteArrayOutputStream kept, long[] count,
			java.util.function.LongConsumer onProgress) throws IOException {
		long left = size;
		while (left > 0) {
			int read = this.in.read(buffer, 0, (int) Math.min(buffer.length, left));
			if (read == -1) {
				throw new EndOfStream();
			}
			keep(buffer, read, kept, count, onProgress);
			left -= read;
		}
	}

	private static void keep(byte[] buffer, int read, ByteArrayOutputStream kept, long[] count,
			java.util.function.LongConsumer onProgress) {
		// a large body is counted, only its start kept
		if (kept.size() < 64 * 1024) {
			kept.write(buffer, 0, Math.min(read, 64 * 1024 - kept.size()));
		}
		count[0] += read;
		onProgress.accept(count[0]);
	}

	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = this.in.read()) != -1) {
			if (b == '\n') {
				int end = line.length();
				return (end > 0 && line.charAt(end - 1) == '\r') ? line.substring(0, end - 1) : line.toString();
			}
			line.append((char) b);
		}
		throw new EndOfStream();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * A response head.
	 *
	 * @param status the status code
	 * @param fields the header fields, names in lower case, repeated ones joined with
	 * commas
	 */
	public record Head(int status, Map<String, String> fields) {
	}

	/**
	 * A response body as it arrived.
	 *
	 * @param start its first 64 KiB at most
	 * @param length how many bytes arrived
	 * @param complete whether its framing ended it (terminating chunk, or as many bytes
	 * as the content length): {@code false} if the connection closed first
	 */
	public record Body(byte[] start, long length, boolean complete) {

		public String text() {
			return new String(this.start, StandardCharsets.UTF_8);
		}

	}

	private static final class EndOfStream extends IOException {

		EndOfStream() {
			super("The connection closed");
		}

	}

}
