package io.swaggersocket.connection;

import io.swaggersocket.protocol.ErrorCode;

/**
 * The peer refused a stream before processing any of it (RESET REFUSED_STREAM, or a
 * stream beyond a GOAWAY's last stream id), or never heard of it (the connection ended
 * while the stream waited for a free slot): the request is safe to retry, on this or
 * another connection.
 */
public class SwaggerSocketStreamRefusedException extends SwaggerSocketStreamResetException {

	/**
	 * Create an exception.
	 * @param message why the stream was refused
	 */
	public SwaggerSocketStreamRefusedException(String message) {
		super(ErrorCode.REFUSED_STREAM, message);
	}

}
