package io.swaggersocket.connection;

/**
 * Published when a connection ended abnormally: heartbeat timeout, protocol error or
 * abrupt drop. The connection has left the registry already and its in-flight calls have
 * failed.
 */
public class SwaggerSocketFailedEvent extends SwaggerSocketConnectionEvent {

	private final FailureReason reason;

	private final int closeCode;

	private final String detail;

	/**
	 * Create an event.
	 * @param connection the connection that failed
	 * @param reason why it failed
	 * @param closeCode the WebSocket close code sent or received, or -1 if none
	 * @param detail a human-readable description
	 */
	public SwaggerSocketFailedEvent(SwaggerSocketConnection connection, FailureReason reason, int closeCode,
			String detail) {
		this(connection, connection.info(), reason, closeCode, detail);
	}

	/**
	 * Create an event for a connection attempt whose handshake did not complete.
	 * @param connection the connection attempt
	 * @param info what is known of it; its id is empty
	 * @param reason why it failed
	 * @param closeCode the WebSocket close code received, or -1 if none
	 * @param detail a human-readable description
	 */
	public SwaggerSocketFailedEvent(SwaggerSocketConnection connection, ConnectionInfo info, FailureReason reason,
			int closeCode, String detail) {
		super(connection, info);
		this.reason = reason;
		this.closeCode = closeCode;
		this.detail = detail;
	}

	/**
	 * Return why the connection failed.
	 * @return the reason
	 */
	public FailureReason getReason() {
		return this.reason;
	}

	/**
	 * Return the WebSocket close code sent or received.
	 * @return the close code, or -1 if the transport ended without one
	 */
	public int getCloseCode() {
		return this.closeCode;
	}

	/**
	 * Return a human-readable description of the failure.
	 * @return the detail
	 */
	public String getDetail() {
		return this.detail;
	}

}
