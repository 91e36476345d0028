package io.swaggersocket.http;

import java.net.InetSocketAddress;
import java.net.URI;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.websocket.WebSocketStreamRequest;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * A request that arrived on a SwaggerSocket stream, adapted to {@code ServerHttpRequest}.
 * Its native request is the {@link SwaggerSocketConnection} it came from.
 */
final class SocketServerHttpRequest extends AbstractServerHttpRequest {

	private final SwaggerSocketConnection connection;

	private final Flux<DataBuffer> body;

	private final int streamNumber;

	private final @Nullable WebSocketStreamRequest webSocket;

	SocketServerHttpRequest(HttpMethod method, URI uri, HttpHeaders headers, Flux<DataBuffer> body,
			SwaggerSocketConnection connection, int streamNumber, @Nullable WebSocketStreamRequest webSocket) {
		super(method, uri, null, headers);
		this.connection = connection;
		this.body = body;
		this.streamNumber = streamNumber;
		this.webSocket = webSocket;
	}

	/**
	 * Return the WebSocket the peer opens with this request, if it does.
	 * @return the WebSocket request, or {@code null} for a plain HTTP request
	 */
	@Nullable WebSocketStreamRequest webSocket() {
		return this.webSocket;
	}

	@Override
	protected MultiValueMap<String, HttpCookie> initCookies() {
		MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
		for (String header : getHeaders().getOrEmpty(HttpHeaders.COOKIE)) {
			for (String pair : header.split(";")) {
				int equals = pair.indexOf('=');
				if (equals > 0) {
					String name = pair.substring(0, equals).trim();
					cookies.add(name, new HttpCookie(name, pair.substring(equals + 1).trim()));
				}
			}
		}
		return cookies;
	}

	@Override
	protected @Nullable SslInfo initSslInfo() {
		return null;
	}

	@Override
	public @Nullable InetSocketAddress getRemoteAddress() {
		return this.connection.info().remoteAddress();
	}

	/**
	 * Shaped like Reactor Netty's ids (short channel id, request counter), here per
	 * connection.
	 */
	@Override
	protected String initId() {
		String id = this.connection.id();
		return id.substring(0, Math.min(8, id.length())) + "-" + this.streamNumber;
	}

	@Override
	public Flux<DataBuffer> getBody() {
		return this.body;
	}

	/**
	 * Return the connection the request arrived on.
	 * @return the connection
	 */
	SwaggerSocketConnection connection() {
		return this.connection;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T getNativeRequest() {
		return (T) this.connection;
	}

}
