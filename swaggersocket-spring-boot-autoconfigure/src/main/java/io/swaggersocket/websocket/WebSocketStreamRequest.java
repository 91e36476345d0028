package io.swaggersocket.websocket;

import java.util.concurrent.atomic.AtomicBoolean;

import io.swaggersocket.connection.StreamResponder;
import io.swaggersocket.connection.SwaggerSocketConnection;

/**
 * A stream the peer opened with an extended CONNECT for a WebSocket, as the starter
 * dispatches it into the application: an exchange attribute
 * ({@link StreamWebSockets#ATTRIBUTE}) on the request it becomes. Created by the
 * starter's request dispatcher; applications use {@link StreamWebSockets} instead.
 */
public final class WebSocketStreamRequest {

	private final SwaggerSocketConnection connection;

	private final StreamResponder responder;

	private final int maxMessageSize;

	private final AtomicBoolean upgraded = new AtomicBoolean();

	/**
	 * Create the request.
	 * @param connection the connection the stream arrived on
	 * @param responder answers the stream
	 * @param maxMessageSize the largest message the session receives
	 */
	public WebSocketStreamRequest(SwaggerSocketConnection connection, StreamResponder responder, int maxMessageSize) {
		this.connection = connection;
		this.responder = responder;
		this.maxMessageSize = maxMessageSize;
	}

	/**
	 * Whether the WebSocket was accepted: the stream then carries the session, and the
	 * exchange's response is not sent.
	 * @return whether {@link StreamWebSockets#upgrade} took the stream over
	 */
	public boolean isUpgraded() {
		return this.upgraded.get();
	}

	boolean markUpgraded() {
		return this.upgraded.compareAndSet(false, true);
	}

	SwaggerSocketConnection connection() {
		return this.connection;
	}

	StreamResponder responder() {
		return this.responder;
	}

	int maxMessageSize() {
		return this.maxMessageSize;
	}

}
