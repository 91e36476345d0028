package io.swaggersocket.connection;

import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Decides on the server whether a client may connect, from the metadata it sent and the
 * principal that authenticated its WebSocket upgrade. Declare a bean to use it. A
 * rejected client is closed with 4003 (HANDSHAKE_REJECTED) and the reason; it sees a
 * {@link SwaggerSocketFailedEvent} with {@link FailureReason#HANDSHAKE_FAILED} and
 * retries with backoff.
 */
@FunctionalInterface
public interface SwaggerSocketHandshakeValidator {

	/** Accepts every client. */
	SwaggerSocketHandshakeValidator ACCEPT_ALL = (metadata, principal) -> {
	};

	/**
	 * Validate a client's handshake. Called on an I/O thread: do not block.
	 * @param metadata the metadata from HELLO
	 * @param principal the principal of the upgrade request, if any
	 * @throws SwaggerSocketHandshakeRejectedException to refuse the client, with the
	 * reason it is told
	 */
	void validate(Map<String, Object> metadata, @Nullable Principal principal);

}
