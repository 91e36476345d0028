package io.swaggersocket.test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;

/**
 * One end of a WebSocket written on a bare TCP socket, for what no WebSocket library will
 * send: a message fragmented into continuation frames beyond any limit, for example. It
 * also tells exactly when the other end closes the TCP connection.
 */
public final class RawTcpWebSocket implements AutoCloseable {

	private static final FrameCodec CODEC = new FrameCodec(64 * 1024, 16 * 1024);

	public static final int CONTINUATION = 0x0;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	/** Whether this is the client end, which masks what it sends. */
	private final boolean client;

	private RawTcpWebSocket(Socket socket, Duration readTimeout, boolean client) throws IOException {
		this.socket = socket;
		this.client = client;
		this.socket.setSoTimeout((int) readTimeout.toMillis());
		this.in = new DataInputStream(new java.io.BufferedInputStream(this.socket.getInputStream()));
		this.out = this.socket.getOutputStream();
	}

	private RawTcpWebSocket(URI uri, Duration readTimeout) throws IOException {
		this(new Socket(uri.getHost(), uri.getPort()), readTimeout, true);
		this.out.write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + FrameCodec.SUBPROTOCOL + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		StringBuilder response = new StringBuilder();
		while (!response.toString().endsWith("\r\n\r\n")) {
			response.append((char) this.in.readUnsignedByte());
		}
		if (!response.toString().startsWith("HTTP/1.1 101")) {
			throw new IOException("Upgrade refused: " + response);
		}
	}

	/**
	 * Upgrade a new connection.
	 * @param uri the WebSocket endpoint
	 * @param readTimeout how long a read may block: the bound for "it does not hang"
	 */
	public static RawTcpWebSocket connect(URI uri, Duration readTimeout) throws IOException {
		return new RawTcpWebSocket(uri, readTimeout);
	}

	/**
	 * Accept one connection as a WebSocket server, answering its upgrade request with the
	 * subprotocol.
	 * @param listener where the client connects
	 * @param readTimeout how long a read may block: the bound for "it does not hang"
	 */
	public static RawTcpWebSocket accept(java.net.ServerSocket listener, Duration readTimeout) throws IOException {
		RawTcpWebSocket server = new RawTcpWebSocket(listener.accept(), readTimeout, false);
		StringBuilder request = new StringBuilder();
		while (!request.toString().endsWith("\r\n\r\n")) {
			request.append((char) server.in.readUnsignedByte());
		}
		java.util.regex.Matcher key = java.util.regex.Pattern.compile("(?i)sec-websocket-key:\\s*(\\S+)")
			.matcher(request);
		if (!key.find()) {
			throw new IOException("Not an upgrade request: " + request);
		}
		String accept;
		try {
			accept = java.util.Base64.getEncoder()
				.encodeToString(java.security.MessageDigest.getInstance("SHA-1")
					.digest((key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
						.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		server.out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Accept: " + accept + "\r\nSec-WebSocket-Protocol: " + FrameCodec.SUBPROTOCOL
				+ "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		server.out.flush();
		return server;
	}

	/** Send one WebSocket frame, masked if this is the client end. */
	public RawTcpWebSocket sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
		ByteBuffer header = ByteBuffer.allocate(14);
		int mask = this.client ? 0x80 : 0;
		header.put((byte) ((fin ? 0x80 : 0) | opcode));
		if (payload.length < 126) {
			header.put((byte) (mask | payload.length));
		}
		else if (payload.length < 65536) {
			header.put((byte) (mask | 126)).putShort((short) payload.length);
		}
		else {
			header.put((byte) (mask | 127)).putLong(payload.length);
		}
		if (this.client) {
			// an all-zero mask leaves the payload as it is
			header.putInt(0);
		}
		this.out.write(header.array(), 0, header.position());
		this.out.write(payload);
		this.out.flush();
		return this;
	}

	/** Send a protocol frame as one binary message. */
	public RawTcpWebSocket send(Frame frame) throws IOException {
		ByteBuffer encoded = CODEC.encode(frame);
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		return sendFrame(BINARY, true, bytes);
	}

	/** Read the next protocol frame the server sends (skipping pings and pongs). */
	public Frame receive() throws IOException {
		while (true) {
			int first = this.in.readUnsignedByte();
			byte[] payload = readPayload();
			int opcode = first & 0x0F;
			if (opcode == BINARY) {
				return CODEC.decode(ByteBuffer.wrap(payload));
			}
			if (opcode == CLOSE) {
				throw new IOException("Closed by the server with " + closeCode(payload));
			}
		}
	}

	/**
	 * Read frames until a WebSocket ping arrives, skipping protocol frames and pongs, and
	 * return its payload.
	 */
	public byte[] receivePing() throws IOException {
		while (true) {
			int first = this.in.readUnsignedByte();
			byte[] payload = readPayload();
			int opcode = first & 0x0F;
			if (opcode == PING) {
				return payload;
			}
			if (opcode == CLOSE) {
				throw new IOException("Closed by the other end with " + closeCode(payload));
			}
		}
	}

	/**
	 * Read until the other end closes the TCP connection, and return the code of the
	 * close frame it sent first.
	 * @return the close code, or -1 if the connection ended without a close frame
	 * @throws SocketTimeoutException if the connection is still open after the read
	 * timeout
	 */
	public int awaitTransportClosed() throws IOException {
		int code = -1;
		try {
			while (true) {
				int first = this.in.readUnsignedByte();
				byte[] payload = readPayload();
				if ((first & 0x0F) == CLOSE) {
					code = closeCode(payload);
				}
			}
		}
		catch (EOFException | SocketException ex) {
			return code;
		}
	}

	private byte[] readPayload() throws IOException {
		int second = this.in.readUnsignedByte();
		long length = second & 0x7F;
		if (length == 126) {
			length = this.in.readUnsignedShort();
		}
		else if (length == 127) {
			length = this.in.readLong();
		}
		byte[] mask = new byte[4];
		if ((second & 0x80) != 0) {
			this.in.readFully(mask);
		}
		byte[] payload = new byte[(int) length];
		this.in.readFully(payload);
		for (int i = 0; i < payload.length; i++) {
			payload[i] ^= mask[i % 4];
		}
		return payload;
	}

	private static int closeCode(byte[] payload) {
		return (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
