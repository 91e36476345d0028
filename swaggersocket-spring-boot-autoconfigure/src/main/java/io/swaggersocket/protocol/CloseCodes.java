package io.swaggersocket.protocol;

/**
 * WebSocket close codes (RFC 6455 section 7.4) used by protocol version 1. Codes below
 * 4000 are the standard ones; 4000-4099 are defined by this protocol.
 */
public final class CloseCodes {

	/** Orderly close, nothing went wrong. */
	public static final int NORMAL = 1000;

	/** The endpoint is shutting down (after a GOAWAY); reconnect elsewhere or later. */
	public static final int GOING_AWAY = 1001;

	/**
	 * A malformed frame, a frame on the wrong stream or a connection-level rule broken.
	 */
	public static final int PROTOCOL_ERROR = 1002;

	/** A text message was received: the protocol only uses binary messages. */
	public static final int UNSUPPORTED_DATA = 1003;

	/**
	 * The peer does not read what it asks for: the frames queued for it (answers, pongs,
	 * credit) passed the sender's bound.
	 */
	public static final int POLICY_VIOLATION = 1008;

	/** A frame was larger than the receiver's {@code maxFrameSize}. */
	public static final int MESSAGE_TOO_BIG = 1009;

	/** The endpoint failed for a reason of its own. */
	public static final int INTERNAL_ERROR = 1011;

	/**
	 * The server refuses the connection for now (for example too many connections); retry
	 * later.
	 */
	public static final int TRY_AGAIN_LATER = 1013;

	/** The handshake did not complete within the handshake timeout. */
	public static final int HANDSHAKE_TIMEOUT = 4000;

	/** A handshake frame was malformed, out of order, or repeated. */
	public static final int HANDSHAKE_VIOLATION = 4001;

	/** No subprotocol, or an unsupported protocol version, was negotiated. */
	public static final int UNSUPPORTED_PROTOCOL_VERSION = 4002;

	/** The server's metadata validation rejected the client. */
	public static final int HANDSHAKE_REJECTED = 4003;

	/** The peer sent nothing (not even a pong) within the heartbeat timeout. */
	public static final int HEARTBEAT_TIMEOUT = 4004;

	/**
	 * The longest close reason RFC 6455 allows, in bytes of UTF-8 (a control frame
	 * carries 125 bytes, 2 of them the code).
	 */
	public static final int MAX_REASON_BYTES = 123;

	private CloseCodes() {
	}

	/**
	 * Cut a close reason to at most {@link #MAX_REASON_BYTES} bytes of UTF-8, at a
	 * character boundary: never inside a multi-byte sequence or between the two halves of
	 * a surrogate pair.
	 * @param reason the reason
	 * @return the reason itself if it fits, otherwise its longest prefix that does
	 */
	public static String truncateReason(String reason) {
		if (reason.length() * 3 <= MAX_REASON_BYTES) {
			return reason;
		}
		int bytes = 0;
		int index = 0;
		while (index < reason.length()) {
			int codePoint = reason.codePointAt(index);
			int size = utf8Length(codePoint);
			if (bytes + size > MAX_REASON_BYTES) {
				return reason.substring(0, index);
			}
			bytes += size;
			index += Character.charCount(codePoint);
		}
		return reason;
	}

	/**
	 * A lone surrogate is encoded as one replacement byte ('?') by Java's encoder:
	 * counted as 1.
	 */
	private static int utf8Length(int codePoint) {
		if (codePoint < 0x80) {
			return 1;
		}
		if (codePoint < 0x800) {
			return 2;
		}
		if (Character.isSurrogate((char) codePoint)) {
			return 1;
		}
		return (codePoint < 0x10000) ? 3 : 4;
	}

	/**
	 * Whether a close code means an orderly close rather than a failure.
	 * @param code the close code
	 * @return {@code true} for {@link #NORMAL} and {@link #GOING_AWAY}
	 */
	public static boolean isOrderly(int code) {
		return code == NORMAL || code == GOING_AWAY;
	}

}
