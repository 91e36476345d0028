package io.swaggersocket.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.protocol.Header;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;

/**
 * A {@code WebClient} request bound for a SwaggerSocket stream. Writing the body only
 * records it: the connector opens the stream once the request is complete, and the body
 * then flows under the stream's flow control.
 */
final class SocketClientHttpRequest extends AbstractClientHttpRequest {

	private final HttpMethod method;

	private final URI uri;

	private Publisher<? extends DataBuffer> body = Flux.empty();

	private boolean sendsBody;

	SocketClientHttpRequest(HttpMethod method, URI uri) {
		this.method = method;
		this.uri = uri;
	}

	@Override
	public HttpMethod getMethod() {
		return this.method;
	}

	@Override
	public URI getURI() {
		return this.uri;
	}

	@Override
	public DataBufferFactory bufferFactory() {
		return DefaultDataBufferFactory.sharedInstance;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T getNativeRequest() {
		return (T) this;
	}

	@Override
	public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
		return doCommit(() -> {
			this.body = body;
			this.sendsBody = true;
			return Mono.empty();
		});
	}

	@Override
	public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return writeWith(Flux.from(body).concatMap(Flux::from));
	}

	@Override
	public Mono<Void> setComplete() {
		return doCommit();
	}

	@Override
	protected void applyHeaders() {
	}

	@Override
	protected void applyCookies() {
		List<String> pairs = new ArrayList<>();
		for (List<HttpCookie> cookies : getCookies().values()) {
			for (HttpCookie cookie : cookies) {
				pairs.add(cookie.getName() + "=" + cookie.getValue());
			}
		}
		if (!pairs.isEmpty()) {
			getHeaders().add(HttpHeaders.COOKIE, String.join("; ", pairs));
		}
	}

	Publisher<? extends DataBuffer> body() {
		return this.body;
	}

	/**
	 * The length of the body the request sends, once written: its {@code Content-Length},
	 * {@code -1} if unknown, {@code 0} if it sends none.
	 */
	long bodyLength() {
		return this.sendsBody ? getHeaders().getContentLength() : 0;
	}

	List<Header> wireHeaders() {
		HttpHeaders headers = getHeaders();
		Header method = new Header(Header.METHOD, this.method.name());
		Header path = new Header(Header.PATH, HeaderMapping.originForm(this.uri));
		String authority = this.uri.getRawAuthority();
		if (!headers.containsHeader(HttpHeaders.HOST) && authority != null) {
			// the URI's authority, first of the regular fields
			return HeaderMapping.toWire(List.of(method, path, new Header("host", authority)), headers);
		}
		return HeaderMapping.toWire(List.of(method, path), headers);
	}

}
