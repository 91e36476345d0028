package io.swaggersocket.connection;

import io.swaggersocket.protocol.ErrorCode;

/**
 * A header block was not sent because it exceeds what the peer declared it accepts (its
 * {@code maxHeaderBlockSize}, or its {@code maxFrameSize} if smaller). Nothing reached
 * the peer for this stream and the connection carries on. Like a RESET HEADERS_TOO_LARGE
 * from the peer, the request was not processed, and sending the same headers again fails
 * again. See docs/PROTOCOL.md, section 6.7.
 */
public class SwaggerSocketHeadersTooLargeException extends SwaggerSocketStreamResetException {

	private final long size;

	private final int limit;

	/**
	 * Create an exception.
	 * @param size the encoded size of the header block, in bytes ({@link Long#MAX_VALUE}
	 * if a field cannot be encoded at all)
	 * @param limit the largest header block the peer accepts, in bytes
	 */
	public SwaggerSocketHeadersTooLargeException(long size, int limit) {
		super(ErrorCode.HEADERS_TOO_LARGE,
				((size == Long.MAX_VALUE) ? "Header block cannot be encoded (a field over 65535 bytes)"
						: "Header block of " + size + " bytes exceeds the " + limit + " bytes the peer accepts")
						+ "; not sent");
		this.size = size;
		this.limit = limit;
	}

	/**
	 * Return the encoded size of the header block that was not sent.
	 * @return the size in bytes
	 */
	public long getSize() {
		return this.size;
	}

	/**
	 * Return the largest header block the peer accepts.
	 * @return the limit in bytes
	 */
	public int getLimit() {
		return this.limit;
	}

}
