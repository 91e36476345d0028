package io.swaggersocket.protocol;

/**
 * Error codes carried by RESET and GOAWAY frames. They mirror HTTP/2 (RFC 9113 section 7)
 * where the meaning is the same. {@link #REFUSED_STREAM} means "not processed, safe to
 * retry"; {@link #CANCEL} means "abandoned, may have been processed".
 */
public enum ErrorCode {

	/** Graceful: no error. */
	NO_ERROR(0x0),

	/** The peer violated the protocol. */
	PROTOCOL_ERROR(0x1),

	/**
	 * The sender failed for a reason of its own (for example the handler failed
	 * mid-body).
	 */
	INTERNAL_ERROR(0x2),

	/** The peer sent more than its flow-control credit allowed. */
	FLOW_CONTROL_ERROR(0x3),

	/** A frame arrived for a stream that was already closed in that direction. */
	STREAM_CLOSED(0x4),

	/** A frame was shorter, longer or otherwise sized unlike its type requires. */
	FRAME_SIZE_ERROR(0x5),

	/**
	 * The stream was refused before any processing: safe to retry, on this or another
	 * connection.
	 */
	REFUSED_STREAM(0x6),

	/** The stream was cancelled; the request may or may not have been processed. */
	CANCEL(0x7),

	/** A header block was larger than the receiver's {@code maxHeaderBlockSize}. */
	HEADERS_TOO_LARGE(0x8);

	private final int code;

	ErrorCode(int code) {
		this.code = code;
	}

	/**
	 * Return the 32-bit code on the wire.
	 * @return the code
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the error code for a value read from the wire. Unknown codes are not a
	 * protocol error: they are treated as {@link #INTERNAL_ERROR}, so that later versions
	 * can add codes.
	 * @param code the value read
	 * @return the error code
	 */
	public static ErrorCode of(int code) {
		for (ErrorCode errorCode : values()) {
			if (errorCode.code == code) {
				return errorCode;
			}
		}
		return INTERNAL_ERROR;
	}

}
