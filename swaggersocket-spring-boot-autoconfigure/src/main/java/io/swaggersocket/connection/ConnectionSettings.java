package io.swaggersocket.connection;

/**
 * The limits one side declares in the handshake; the other side respects them when it
 * sends. See docs/PROTOCOL.md, "Settings".
 *
 * @param maxFrameSize the largest frame payload the declarer accepts
 * @param maxHeaderBlockSize the largest HEADERS payload the declarer accepts
 * @param initialStreamWindow the flow-control credit each new stream starts with
 * @param connectionWindow the flow-control credit of the whole connection
 * @param maxConcurrentStreams how many streams the peer may have open towards the
 * declarer
 * @param enableConnectProtocol whether the declarer accepts WebSockets opened over
 * streams (an extended CONNECT, docs/PROTOCOL.md section 13)
 */
public record ConnectionSettings(int maxFrameSize, int maxHeaderBlockSize, int initialStreamWindow,
		int connectionWindow, int maxConcurrentStreams, boolean enableConnectProtocol) {

	/** The protocol's defaults, which apply to any setting a peer leaves out. */
	public static final ConnectionSettings DEFAULTS = new ConnectionSettings(64 * 1024, 16 * 1024, 256 * 1024,
			1024 * 1024, 256);

	/**
	 * Settings that do not accept WebSockets over streams.
	 * @param maxFrameSize the largest frame payload the declarer accepts
	 * @param maxHeaderBlockSize the largest HEADERS payload the declarer accepts
	 * @param initialStreamWindow the flow-control credit each new stream starts with
	 * @param connectionWindow the flow-control credit of the whole connection
	 * @param maxConcurrentStreams how many streams the peer may have open towards the
	 * declarer
	 */
	public ConnectionSettings(int maxFrameSize, int maxHeaderBlockSize, int initialStreamWindow, int connectionWindow,
			int maxConcurrentStreams) {
		this(maxFrameSize, maxHeaderBlockSize, initialStreamWindow, connectionWindow, maxConcurrentStreams, false);
	}

	/**
	 * Return these settings, accepting WebSockets over streams or not.
	 * @param enable whether to accept them
	 * @return the settings
	 */
	public ConnectionSettings withEnableConnectProtocol(boolean enable) {
		return new ConnectionSettings(this.maxFrameSize, this.maxHeaderBlockSize, this.initialStreamWindow,
				this.connectionWindow, this.maxConcurrentStreams, enable);
	}

}
