package io.swaggersocket.connection;

import io.swaggersocket.protocol.CloseCodes;

/**
 * Thrown by a {@link SwaggerSocketHandshakeValidator} to refuse a client. The message is
 * sent to the client as the close reason (at most 123 bytes of it), with close code 4003.
 */
public class SwaggerSocketHandshakeRejectedException extends HandshakeException {

	/**
	 * Create an exception.
	 * @param reason why the client is refused, as the client will read it
	 */
	public SwaggerSocketHandshakeRejectedException(String reason) {
		super(CloseCodes.HANDSHAKE_REJECTED, reason);
	}

}
