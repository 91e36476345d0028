package io.swaggersocket.connection;

import java.util.Objects;

/**
 * The handshake of a connection failed: the peer broke the handshake rules, was too slow,
 * or was refused. Carries the WebSocket close code sent or received (see
 * docs/PROTOCOL.md).
 */
public class HandshakeException extends RuntimeException {

	private final int closeCode;

	/**
	 * Create an exception.
	 * @param closeCode the WebSocket close code
	 * @param message what went wrong
	 */
	public HandshakeException(int closeCode, String message) {
		super(message);
		this.closeCode = closeCode;
	}

	/**
	 * Return the WebSocket close code the handshake ended with.
	 * @return the close code
	 */
	public int getCloseCode() {
		return this.closeCode;
	}

	/**
	 * Return what went wrong; never {@code null}, as every constructor takes a message.
	 * @return the message
	 */
	@Override
	public String getMessage() {
		return Objects.requireNonNull(super.getMessage());
	}

}
