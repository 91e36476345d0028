package io.swaggersocket.benchmarks;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.MultiValueMap;

/**
 * Row (e)'s server side: the application's {@link HttpHandler}, given requests that have
 * a native request as a server's do. {@code HttpHandlerConnector} hands the handler a
 * {@code MockServerHttpRequest}, whose {@code getNativeRequest()} throws, and the
 * starter's {@code SwaggerSocketExchanges} filter asks every request for it (to tell
 * SwaggerSocket requests apart): without this adapter every floor request fails with a
 * 500. The adapter keeps the filter in the pipeline, as on every real server.
 */
final class FloorHandler implements HttpHandler {

	private final HttpHandler delegate;

	FloorHandler(HttpHandler delegate) {
		this.delegate = delegate;
	}

	@Override
	public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
		return this.delegate.handle(new NativeRequest(request), response);
	}

	/**
	 * The mock request as a request with a native request (itself).
	 */
	private static final class NativeRequest extends AbstractServerHttpRequest {

		private final ServerHttpRequest request;

		NativeRequest(ServerHttpRequest request) {
			super(request.getMethod(), request.getURI(), null, request.getHeaders());
			this.request = request;
		}

		@Override
		protected MultiValueMap<String, HttpCookie> initCookies() {
			return this.request.getCookies();
		}

		@Override
		protected @Nullable SslInfo initSslInfo() {
			return null;
		}

		@Override
		public @Nullable InetSocketAddress getRemoteAddress() {
			return this.request.getRemoteAddress();
		}

		@Override
		public @Nullable InetSocketAddress getLocalAddress() {
			return this.request.getLocalAddress();
		}

		@Override
		public Flux<DataBuffer> getBody() {
			return this.request.getBody();
		}

		@Override
		@SuppressWarnings({ "unchecked", "TypeParameterUnusedInFormals" }) // Spring's
																			// signature
		public <T> T getNativeRequest() {
			return (T) this.request;
		}

	}

}
