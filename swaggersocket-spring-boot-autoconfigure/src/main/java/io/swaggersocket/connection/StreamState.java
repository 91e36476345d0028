package io.swaggersocket.connection;

/**
 * The life of a stream, as HTTP/2 names it (RFC 9113 section 5.1, less the states this
 * protocol has no use for); docs/PROTOCOL.md 6.2.
 */
enum StreamState {

	/** Both halves open. */
	OPEN(true, true),

	/** This side sent END_STREAM; the peer's half is open. */
	HALF_CLOSED_LOCAL(false, true),

	/** The peer sent END_STREAM; this side's half is open. */
	HALF_CLOSED_REMOTE(true, false),

	/** Both halves ended, or the stream was reset or the connection ended. */
	CLOSED(false, false);

	private final boolean localSideOpen;

	private final boolean remoteSideOpen;

	StreamState(boolean localSideOpen, boolean remoteSideOpen) {
		this.localSideOpen = localSideOpen;
		this.remoteSideOpen = remoteSideOpen;
	}

	/**
	 * Whether this side may still send on the stream.
	 * @return whether this side's half is open
	 */
	boolean localSideOpen() {
		return this.localSideOpen;
	}

	/**
	 * Whether the peer may still send on the stream.
	 * @return whether the peer's half is open
	 */
	boolean remoteSideOpen() {
		return this.remoteSideOpen;
	}

	/**
	 * The state once this side has sent END_STREAM.
	 * @return the next state
	 */
	StreamState localEnded() {
		return this.remoteSideOpen ? HALF_CLOSED_LOCAL : CLOSED;
	}

	/**
	 * The state once the peer's END_STREAM has arrived.
	 * @return the next state
	 */
	StreamState remoteEnded() {
		return this.localSideOpen ? HALF_CLOSED_REMOTE : CLOSED;
	}

}
