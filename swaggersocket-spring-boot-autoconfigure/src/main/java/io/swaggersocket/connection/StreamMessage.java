package io.swaggersocket.connection;

import java.util.List;

import io.swaggersocket.protocol.Header;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The head and body of one direction of a stream: a request as received by the serving
 * side, or a response as received by the calling side.
 *
 * @param headers the header fields, pseudo-headers first
 * @param body the body, delivered as the subscriber requests it; flow-control credit goes
 * back to the sender as buffers are delivered, so a slow subscriber slows the sender.
 * Subscribe once.
 * @param bodiless whether the head ended the direction (END_STREAM on HEADERS), so that
 * there is no body at all; {@code false} means a body follows, of the length the headers
 * may declare or of none
 */
public record StreamMessage(List<Header> headers, Flux<DataBuffer> body, boolean bodiless) {

	/**
	 * Create a message whose body follows.
	 * @param headers the header fields, pseudo-headers first
	 * @param body the body
	 */
	public StreamMessage(List<Header> headers, Flux<DataBuffer> body) {
		this(headers, body, false);
	}

}
