package io.swaggersocket.http;

import java.util.List;

import io.swaggersocket.connection.StreamMessage;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * The response to a {@code WebClient} request, received on a SwaggerSocket stream.
 */
final class SocketClientHttpResponse implements ClientHttpResponse {

	private final HttpStatusCode status;

	private final HttpHeaders headers;

	private final Flux<DataBuffer> body;

	SocketClientHttpResponse(HttpStatusCode status, StreamMessage message) {
		this.status = status;
		this.headers = HeaderMapping.fromWire(message.headers());
		this.body = message.body();
	}

	@Override
	public HttpStatusCode getStatusCode() {
		return this.status;
	}

	@Override
	public HttpHeaders getHeaders() {
		return this.headers;
	}

	@Override
	public MultiValueMap<String, ResponseCookie> getCookies() {
		MultiValueMap<String, ResponseCookie> cookies = new LinkedMultiValueMap<>();
		for (String header : this.headers.getOrEmpty(HttpHeaders.SET_COOKIE)) {
			for (java.net.HttpCookie cookie : parse(header)) {
				ResponseCookie.ResponseCookieBuilder builder = ResponseCookie.from(cookie.getName(), cookie.getValue())
					.secure(cookie.getSecure())
					.httpOnly(cookie.isHttpOnly());
				if (cookie.getPath() != null) {
					builder.path(cookie.getPath());
				}
				if (cookie.getDomain() != null) {
					builder.domain(cookie.getDomain());
				}
				if (cookie.getMaxAge() >= 0) {
					builder.maxAge(cookie.getMaxAge());
				}
				cookies.add(cookie.getName(), builder.build());
			}
		}
		return cookies;
	}

	private static List<java.net.HttpCookie> parse(String header) {
		try {
			return java.net.HttpCookie.parse("set-cookie:" + header);
		}
		catch (IllegalArgumentException ex) {
			return List.of();
		}
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return this.body;
	}

}
