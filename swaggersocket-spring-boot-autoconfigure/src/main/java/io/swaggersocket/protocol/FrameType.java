package io.swaggersocket.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The frame types of protocol version 1 and their one-byte codes.
 */
public enum FrameType {

	/** Client to server, first frame: the client's metadata and settings (JSON). */
	HELLO(0x01),

	/**
	 * Server to client, answer to HELLO: the assigned connection id and the server's
	 * settings (JSON).
	 */
	WELCOME(0x02),

	/** Client to server, acknowledges WELCOME; the connection is open afterwards. */
	READY(0x03),

	/** Opens a stream (request headers) or answers one (response headers). */
	HEADERS(0x04),

	/** A chunk of a request or response body. */
	DATA(0x05),

	/** Abandons a stream with an error code. */
	RESET(0x06),

	/** Grants flow-control credit for a stream, or for the connection on stream 0. */
	WINDOW_UPDATE(0x07),

	/** Announces that the sender opens no more streams and accepts no new ones. */
	GOAWAY(0x08);

	private final int code;

	FrameType(int code) {
		this.code = code;
	}

	/**
	 * Return the one-byte code of this type on the wire.
	 * @return the code
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the type for a code read from the wire.
	 * @param code the code
	 * @return the type, or {@code null} if the code is not defined in this version
	 */
	public static @Nullable FrameType of(int code) {
		for (FrameType type : values()) {
			if (type.code == code) {
				return type;
			}
		}
		return null;
	}

}
