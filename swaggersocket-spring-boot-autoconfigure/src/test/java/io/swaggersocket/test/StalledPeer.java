package io.swaggersocket.test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;

/**
 * A peer over a bare TCP socket that completes the handshake and then only writes: it
 * never reads another byte, so everything the other side sends piles up in its TCP
 * buffers and then in the sender. The receive buffer is kept small so that the sender,
 * not the kernel, has to cope.
 */
public final class StalledPeer implements AutoCloseable {

	private static final FrameCodec CODEC = new FrameCodec(64 * 1024, 16 * 1024);

	private final Socket socket;

	private final OutputStream out;

	private StalledPeer(Socket socket) throws IOException {
		this.socket = socket;
		this.out = socket.getOutputStream();
	}

	/**
	 * Connect, upgrade, and complete the handshake with the given HELLO settings.
	 * @param uri the server's WebSocket URI
	 * @param settingsJson the HELLO's {@code settings} object
	 * @return the peer, past READY
	 */
	public static StalledPeer connect(URI uri, String settingsJson) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(8 * 1024);
		socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
		socket.setSoTimeout(5000);
		StalledPeer peer = new StalledPeer(socket);
		peer.handshake(uri, settingsJson);
		return peer;
	}

	private void handshake(URI uri, String settingsJson) throws IOException {
		this.out.write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
				+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
				+ "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + FrameCodec.SUBPROTOCOL + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
		DataInputStream in = new DataInputStream(this.socket.getInputStream());
		StringBuilder response = new StringBuilder();
		while (!response.toString().endsWith("\r\n\r\n")) {
			response.append((char) in.readUnsignedByte());
		}
		if (!response.toString().startsWith("HTTP/1.1 101")) {
			throw new IOException("Upgrade refused: " + response);
		}
		send(new Frame.Hello("{\"metadata\":{},\"settings\":" + settingsJson + "}"));
		Frame welcome = readFrame(in);
		if (!(welcome instanceof Frame.Welcome)) {
			throw new IOException("Expected WELCOME, received " + welcome);
		}
		send(new Frame.Ready());
	}

	/** Read one unfragmented, unmasked server message as a frame. */
	private static Frame readFrame(DataInputStream in) throws IOException {
		int opcode = in.readUnsignedByte() & 0x0F;
		long length = in.readUnsignedByte() & 0x7F;
		if (length == 126) {
			length = in.readUnsignedShort();
		}
		else if (length == 127) {
			length = in.readLong();
		}
		byte[] payload = new byte[(int) length];
		in.readFully(payload);
		if (opcode != 0x2) {
			throw new IOException("Expected a binary message, received opcode " + opcode);
		}
		return CODEC.decode(ByteBuffer.wrap(payload));
	}

	/**
	 * Send one frame as a masked binary WebSocket message.
	 * @param frame the frame
	 */
	public void send(Frame frame) throws IOException {
		ByteBuffer encoded = CODEC.encode(frame);
		int length = encoded.remaining();
		ByteBuffer message = ByteBuffer.allocate(14 + length);
		message.put((byte) 0x82);
		if (length < 126) {
			message.put((byte) (0x80 | length));
		}
		else if (length <= 0xFFFF) {
			message.put((byte) (0x80 | 126)).putShort((short) length);
		}
		else {
			message.put((byte) (0x80 | 127)).putLong(length);
		}
		// a zero mask key leaves the payload as it is
		message.putInt(0);
		message.put(encoded);
		this.out.write(message.array(), 0, message.position());
	}

	/**
	 * Send a masked WebSocket ping, which the other side must answer with a pong.
	 * @param payload at most 125 bytes
	 */
	public void ping(byte[] payload) throws IOException {
		byte[] message = new byte[6 + payload.length];
		message[0] = (byte) 0x89;
		message[1] = (byte) (0x80 | payload.length);
		// a zero mask key leaves the payload as it is
		System.arraycopy(payload, 0, message, 6, payload.length);
		this.out.write(message);
	}

	/**
	 * Read and discard what the other side sent, until it ends the TCP connection.
	 * @param timeout how long to wait for the end
	 * @return whether the connection ended (end of stream or reset) within the timeout
	 */
	public boolean drainUntilEnd(Duration timeout) throws IOException {
		long deadline = System.nanoTime() + timeout.toNanos();
		InputStream in = this.socket.getInputStream();
		byte[] buffer = new byte[64 * 1024];
		long left;
		while ((left = deadline - System.nanoTime()) > 0) {
			this.socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
			try {
				if (in.read(buffer) < 0) {
					return true;
				}
			}
			catch (SocketTimeoutException ex) {
				return false;
			}
			catch (IOException ex) {
				// reset by the other side: ended too
				return true;
			}
		}
		return false;
	}

	/** Push what was sent to the socket. */
	public void flush() throws IOException {
		this.out.flush();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
