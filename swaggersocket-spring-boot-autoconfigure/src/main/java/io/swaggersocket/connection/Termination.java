package io.swaggersocket.connection;

import io.swaggersocket.protocol.CloseCodes;
import org.jspecify.annotations.Nullable;

/**
 * How a connection ended; decided once, by whichever side or event came first.
 *
 * @param failure why it failed, or {@code null} for an orderly close
 * @param closeCode the WebSocket close code sent or received, -1 if none
 * @param detail a human-readable description
 * @param local whether this application decided the end
 */
record Termination(@Nullable FailureReason failure, int closeCode, String detail, boolean local) {

	/**
	 * RFC 6455: never sent, reported locally when the transport ended without a close
	 * frame.
	 */
	private static final int ABNORMAL_CLOSURE = 1006;

	static Termination closed(int closeCode, String detail, boolean local) {
		return new Termination(null, closeCode, detail, local);
	}

	static Termination failed(FailureReason reason, int closeCode, String detail, boolean local) {
		return new Termination(reason, closeCode, detail, local);
	}

	static Termination byPeer(int closeCode, String reason) {
		if (closeCode == ABNORMAL_CLOSURE) {
			return failed(FailureReason.CONNECTION_LOST, closeCode, "Transport ended without a WebSocket close", false);
		}
		String detail = "Peer closed with " + closeCode + (reason.isEmpty() ? "" : " (" + reason + ")");
		return CloseCodes.isOrderly(closeCode) ? closed(closeCode, detail, false)
				: failed(FailureReason.CLOSED_BY_PEER_WITH_ERROR, closeCode, detail, false);
	}

	boolean isFailure() {
		return this.failure != null;
	}

}
