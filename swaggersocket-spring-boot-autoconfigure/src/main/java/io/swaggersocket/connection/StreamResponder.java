package io.swaggersocket.connection;

import java.util.List;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * Sends the answer to a stream the peer opened.
 */
public interface StreamResponder {

	/**
	 * Send the response headers and body. The headers go out with the first body chunk,
	 * or with END_STREAM if the body is empty. Body buffers are released once sent.
	 * @param headers the response header fields, {@code :status} first
	 * @param body the response body
	 * @return completes when the whole body has been handed to the connection; errors if
	 * the stream was reset or the connection ended first, and with
	 * {@link SwaggerSocketHeadersTooLargeException} if the header block exceeds what the
	 * peer accepts (the stream is then reset with INTERNAL_ERROR, docs/PROTOCOL.md 6.7)
	 */
	Mono<Void> respond(List<Header> headers, Publisher<? extends DataBuffer> body);

	/**
	 * Abandon the stream with an error code (for example when the response cannot be
	 * completed).
	 * @param errorCode the error code for the RESET frame
	 */
	void reset(ErrorCode errorCode);

}
