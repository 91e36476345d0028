package io.swaggersocket.http;

import java.util.List;

import io.swaggersocket.connection.StreamResponder;
import io.swaggersocket.protocol.Header;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;

/**
 * The response to a request that arrived on a SwaggerSocket stream, adapted to
 * {@code ServerHttpResponse}. Committing sends the HEADERS frame; the body goes out as DATA
 * frames under flow control, each buffer as soon as it is written (there is nothing to flush).
 */
final class SocketServerHttpResponse extends AbstractServerHttpResponse {

	private final StreamResponder responder;

	private volatile boolean responded;

	SocketServerHttpResponse(StreamResponder responder) {
		super(DefaultDataBufferFactory.sharedInstance, new HttpHeaders());
		this.responder = responder;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T getNativeResponse() {
		return (T) this.responder;
	}

	@Override
	protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
		this.responded = true;
		return this.responder.respond(wireHeaders(), body);
	}

	@Override
	protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return writeWithInternal(Flux.from(body).concatMap(Flux::from));
	}

	@Override
	protected void applyStatusCode() {
	}

	@Override
	protected void applyHeaders() {
	}

	@Override
	protected void applyCookies() {
		for (List<ResponseCookie> cookies : getCookies().values()) {
			for (ResponseCookie cookie : cookies) {
				getHeaders().add(HttpHeaders.SET_COOKIE, cookie.toString());
			}
		}
	}

	/**
	 * Commit and send the response headers if the handler finished without writing a body.
	 */
	Mono<Void> completeIfUnanswered() {
		return setComplete().then(Mono.defer(() -> this.responded ? Mono.empty() : writeWithInternal(Flux.empty())));
	}

	boolean isResponded() {
		return this.responded;
	}

	private List<Header> wireHeaders() {
		HttpStatusCode status = getStatusCode();
		int code = (status != null) ? status.value() : 200;
		return HeaderMapping.toWire(List.of(new Header(HeaderMapping.STATUS, Integer.toString(code))), getHeaders());
	}

}
