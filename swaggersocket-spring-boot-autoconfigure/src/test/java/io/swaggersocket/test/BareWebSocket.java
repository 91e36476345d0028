package io.swaggersocket.test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;

/**
 * A WebSocket client over a bare TCP socket, written from RFC 6455 alone: it sends
 * exactly the WebSocket frames a test asks for (none of its own, not even a close reply)
 * and reads the server's frames one by one, so that a test sees the close frame's bytes
 * and whether the TCP connection then ends with a FIN or a reset. Like any RFC 6455
 * endpoint it sends nothing after its own close frame.
 */
public final class BareWebSocket implements AutoCloseable {

	/** WebSocket opcode of a text message (RFC 6455 section 5.2). */
	public static final int TEXT = 0x1;

	/** WebSocket opcode of a binary message. */
	public static final int BINARY = 0x2;

	/** WebSocket opcode of a close frame. */
	public static final int CLOSE = 0x8;

	/** WebSocket opcode of a ping. */
	public static final int PING = 0x9;

	/** WebSocket opcode of a pong. */
	public static final int PONG = 0xA;

	private static final FrameCodec CODEC = new FrameCodec(64 * 1024, 16 * 1024);

	private final Socket socket;

	private final OutputStream out;

	private final DataInputStream in;

	private boolean closeSent;

	/**
	 * One WebSocket frame as read from the server.
	 *
	 * @param fin the FIN bit
	 * @param opcode the opcode
	 * @param payload the payload
	 * @param lengthIndicator the 7-bit length field as sent (126 and 127 announce
	 * extended lengths)
	 */
	public record WsFrame(boolean fin, int opcode, byte[] payload, int lengthIndicator) {

		/** The status code of a close frame, -1 if it has none. */
		public int closeCode() {
			return (this.payload.length >= 2) ? ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF) : -1;
		}

		/** The raw reason bytes of a close frame. */
		public byte[] closeReason() {
			return (this.payload.length > 2) ? java.util.Arrays.copyOfRange(this.payload, 2, this.payload.length)
					: new byte[0];
		}

		/** The protocol frame carried by a binary message. */
		public Frame frame() {
			return CODEC.decode(ByteBuffer.wrap(this.payload));
		}

	}

	private BareWebSocket(Socket socket) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
		this.in = new DataInputStream(socket.getInputStream());
	}

	/**
	 * Connect and complete the WebSocket upgrade, offering {@code swaggersocket.v1}.
	 * @param uri the server's {@code ws://} URL
	 * @param readTimeout how long a read may block
	 */
	public static BareWebSocket connect(URI uri, Duration readTimeout) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) readTimeout.toMillis());
		socket.setSoTimeout((int) readTimeout.toMillis());
		socket.setTcpNoDelay(true);
		BareWebSocket webSocket = new BareWebSocket(socket);
		webSocket.upgrade(uri);
		return webSocket;
	}

	private void upgrade(URI uri) throws IOException {
		this.out.write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + FrameCodec.SUBPROTOCOL + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
		StringBuilder response = new StringBuilder();
		while (!response.toString().endsWith("\r\n\r\n")) {
			response.append((char) this.in.readUnsignedByte());
		}
		if (!response.toString().startsWith("HTTP/1.1 101")) {
			throw new IOException("Upgrade refused: " + response);
		}
	}

	/**
	 * Send HELLO, read WELCOME, send READY: the connection is then open on the server.
	 */
	public String handshake(String helloJson) throws IOException {
		send(new Frame.Hello(helloJson));
		WsFrame welcome = readFrame();
		if (welcome.opcode() != BINARY || !(welcome.frame() instanceof Frame.Welcome frame)) {
			throw new IOException("Expected WELCOME, got opcode " + welcome.opcode());
		}
		send(new Frame.Ready());
		return frame.json();
	}

	/** Send a protocol frame as one binary message. */
	public BareWebSocket send(Frame frame) throws IOException {
		ByteBuffer encoded = CODEC.encode(frame);
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		return sendFrame(true, BINARY, bytes);
	}

	/** Send a close frame with a status code. */
	public BareWebSocket sendClose(int code) throws IOException {
		return sendFrame(true, CLOSE, new byte[] { (byte) (code >> 8), (byte) code });
	}

	/**
	 * Send one WebSocket frame, masked as a client must. Safe to call from several
	 * threads.
	 */
	public synchronized BareWebSocket sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
		if (this.closeSent) {
			throw new IOException("This side already sent its close frame");
		}
		this.closeSent = (opcode == CLOSE);
		ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
		frame.write((fin ? 0x80 : 0) | opcode);
		if (payload.length < 126) {
			frame.write(0x80 | payload.length);
		}
		else if (payload.length <= 0xFFFF) {
			frame.write(0x80 | 126);
			frame.write(payload.length >> 8);
			frame.write(payload.length);
		}
		else {
			frame.write(0x80 | 127);
			frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
		}
		byte[] mask = new byte[4];
		ThreadLocalRandom.current().nextBytes(mask);
		frame.writeBytes(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.write(payload[i] ^ mask[i & 3]);
		}
		this.out.write(frame.toByteArray());
		this.out.flush();
		return this;
	}

	/**
	 * Send only the header of a final binary frame that announces {@code length} bytes,
	 * masked with a zero key, which masks nothing: its payload can follow in parts with
	 * {@link #sendRaw}, as a client writing a large frame sends it.
	 */
	public BareWebSocket sendBinaryFrameHeader(long length) throws IOException {
		// FIN + binary, masked, 64-bit length, then the four bytes of the zero key
		return sendRaw(
				ByteBuffer.allocate(14).put((byte) (0x80 | BINARY)).put((byte) (0x80 | 127)).putLong(length).array());
	}

	/** Send bytes as they are, not framed. */
	public synchronized BareWebSocket sendRaw(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	/** Read the server's next WebSocket frame. */
	public WsFrame readFrame() throws IOException {
		int first = this.in.readUnsignedByte();
		int second = this.in.readUnsignedByte();
		int indicator = second & 0x7F;
		long length = indicator;
		if (indicator == 126) {
			length = this.in.readUnsignedShort();
		}
		else if (indicator == 127) {
			length = this.in.readLong();
		}
		if (length > 16 * 1024 * 1024) {
			throw new IOException("Frame of " + length + " bytes");
		}
		byte[] payload = new byte[(int) length];
		this.in.readFully(payload);
		return new WsFrame((first & 0x80) != 0, first & 0x0F, payload, indicator);
	}

	/** Read frames until the server's close frame and return it. */
	public WsFrame readUntilClose() throws IOException {
		while (true) {
			WsFrame frame = readFrame();
			if (frame.opcode() == CLOSE) {
				return frame;
			}
		}
	}

	/**
	 * Whether the server ended the TCP connection in an orderly way (FIN): reading hits
	 * the end of the stream; a reset throws instead.
	 * @return {@code true} if the next read meets the end of the stream
	 * @throws IOException if the connection was reset or more bytes arrived
	 */
	public boolean readsEndOfStream() throws IOException {
		try {
			int next = this.in.read();
			if (next != -1) {
				throw new IOException("Expected the end of the stream, read byte " + next);
			}
			return true;
		}
		catch (EOFException ex) {
			return true;
		}
	}

	public Socket socket() {
		return this.socket;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
