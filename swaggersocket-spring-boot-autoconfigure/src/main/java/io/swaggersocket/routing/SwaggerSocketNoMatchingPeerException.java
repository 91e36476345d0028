package io.swaggersocket.routing;

/**
 * No live connection matches a call's selector (after waiting, if the call waits). The
 * call reached no peer.
 */
public class SwaggerSocketNoMatchingPeerException extends RuntimeException {

	private final PeerSelector selector;

	/**
	 * Create an exception.
	 * @param selector the selector nothing matched
	 * @param message what happened
	 */
	public SwaggerSocketNoMatchingPeerException(PeerSelector selector, String message) {
		super(message);
		this.selector = selector;
	}

	/**
	 * Return the selector that nothing matched.
	 * @return the selector
	 */
	public PeerSelector getSelector() {
		return this.selector;
	}

}
