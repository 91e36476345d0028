package io.swaggersocket.connection;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the lifecycle events of a connection, published on both sides.
 */
public abstract class SwaggerSocketConnectionEvent extends ApplicationEvent {

	private final ConnectionInfo info;

	SwaggerSocketConnectionEvent(SwaggerSocketConnection connection) {
		this(connection, connection.info());
	}

	SwaggerSocketConnectionEvent(Object source, ConnectionInfo info) {
		super(source);
		this.info = info;
	}

	/**
	 * Return the connection the event is about (for a
	 * {@link FailureReason#HANDSHAKE_FAILED} event, the attempt that never opened).
	 * @return the connection
	 */
	public SwaggerSocketConnection getConnection() {
		return (SwaggerSocketConnection) getSource();
	}

	/**
	 * Return the immutable facts about the connection.
	 * @return the connection info
	 */
	public ConnectionInfo getInfo() {
		return this.info;
	}

}
