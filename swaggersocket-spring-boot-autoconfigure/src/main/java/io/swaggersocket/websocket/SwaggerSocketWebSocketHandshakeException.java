package io.swaggersocket.websocket;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/**
 * The peer did not accept a WebSocket opened over a stream: it answered with a status
 * other than 200 (404 when it has no WebSocket handler at the path, for example), or it
 * does not accept WebSockets over streams at all (501, nothing sent).
 */
public class SwaggerSocketWebSocketHandshakeException extends RuntimeException {

	private final HttpStatusCode statusCode;

	private final HttpHeaders headers;

	/**
	 * Create an exception.
	 * @param message what happened
	 * @param statusCode the peer's status
	 * @param headers the peer's response headers
	 */
	public SwaggerSocketWebSocketHandshakeException(String message, HttpStatusCode statusCode, HttpHeaders headers) {
		super(message);
		this.statusCode = statusCode;
		this.headers = HttpHeaders.readOnlyHttpHeaders(headers);
	}

	/**
	 * Return the status the peer answered with.
	 * @return the status
	 */
	public HttpStatusCode getStatusCode() {
		return this.statusCode;
	}

	/**
	 * Return the headers the peer answered with.
	 * @return the headers, empty when nothing was sent
	 */
	public HttpHeaders getHeaders() {
		return this.headers;
	}

}
