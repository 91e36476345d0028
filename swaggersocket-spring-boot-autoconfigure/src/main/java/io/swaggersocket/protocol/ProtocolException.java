package io.swaggersocket.protocol;

import java.util.Objects;

/**
 * A violation of the protocol by the peer. When {@link #streamId()} is 0 the whole
 * connection is affected and is closed with {@link #closeCode()}; otherwise only that
 * stream is reset with {@link #errorCode()} and the connection carries on.
 */
public class ProtocolException extends RuntimeException {

	private final ErrorCode errorCode;

	private final int closeCode;

	private final int streamId;

	/**
	 * Create a connection-level protocol exception.
	 * @param errorCode the error code to report in GOAWAY
	 * @param closeCode the WebSocket close code to close the connection with
	 * @param message what was wrong
	 */
	public ProtocolException(ErrorCode errorCode, int closeCode, String message) {
		this(errorCode, closeCode, 0, message);
	}

	private ProtocolException(ErrorCode errorCode, int closeCode, int streamId, String message) {
		super(message);
		this.errorCode = errorCode;
		this.closeCode = closeCode;
		this.streamId = streamId;
	}

	/**
	 * Create a stream-level protocol exception: the stream is reset, the connection
	 * survives.
	 * @param streamId the stream to reset
	 * @param errorCode the error code for the RESET frame
	 * @param message what was wrong
	 * @return the exception
	 */
	public static ProtocolException stream(int streamId, ErrorCode errorCode, String message) {
		return new ProtocolException(errorCode, CloseCodes.PROTOCOL_ERROR, streamId, message);
	}

	/**
	 * Return the protocol error code.
	 * @return the error code
	 */
	public ErrorCode errorCode() {
		return this.errorCode;
	}

	/**
	 * Return the WebSocket close code for a connection-level violation.
	 * @return the close code
	 */
	public int closeCode() {
		return this.closeCode;
	}

	/**
	 * Return the stream affected, or 0 when the violation concerns the connection.
	 * @return the stream id
	 */
	public int streamId() {
		return this.streamId;
	}

	/**
	 * Whether only one stream is affected.
	 * @return {@code true} for a stream-level violation
	 */
	public boolean isStreamError() {
		return this.streamId != 0;
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
