package io.swaggersocket.connection;

import io.swaggersocket.protocol.ErrorCode;

/**
 * A stream was abandoned with a RESET frame (by the peer, or by this side on a protocol
 * violation). {@link ErrorCode#CANCEL} and {@link ErrorCode#INTERNAL_ERROR} mean the
 * request may have been processed.
 */
public class SwaggerSocketStreamResetException extends RuntimeException {

	private final ErrorCode errorCode;

	/**
	 * Create an exception.
	 * @param errorCode the RESET error code
	 * @param message what happened
	 */
	public SwaggerSocketStreamResetException(ErrorCode errorCode, String message) {
		super(message);
		this.errorCode = errorCode;
	}

	/**
	 * Return the RESET error code.
	 * @return the error code
	 */
	public ErrorCode getErrorCode() {
		return this.errorCode;
	}

}
