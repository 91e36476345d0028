package io.swaggersocket.connection;

/**
 * Published when a connection's handshake has completed: by the client once it sent
 * READY, by the server once it received READY. The connection is in the registry already.
 */
public class SwaggerSocketConnectedEvent extends SwaggerSocketConnectionEvent {

	/**
	 * Create an event.
	 * @param connection the connection now open
	 */
	public SwaggerSocketConnectedEvent(SwaggerSocketConnection connection) {
		super(connection);
	}

}
