package io.swaggersocket.connection;

/**
 * The streams of one side of a connection: the ids it opens and the limit on how many it
 * may have open at once, as Netty's HTTP/2 {@code DefaultEndpoint} keeps them. The client
 * opens odd ids and the server even ones (docs/PROTOCOL.md 6.1). Guarded by the stream
 * layer's monitor.
 */
final class StreamEndpoint {

	/** The largest stream id (2^31-1). */
	static final int MAX_STREAM_ID = Integer.MAX_VALUE;

	private final int parity;

	private final int maxActiveStreams;

	/** The id of the next stream this side opens; past {@link #MAX_STREAM_ID}: none. */
	private long nextStreamId;

	/** The highest id this side has opened, 0 if none. */
	private int lastStreamCreated;

	private int activeStreams;

	/**
	 * Create the endpoint.
	 * @param client whether this is the client's side (odd ids)
	 * @param maxActiveStreams how many of its streams may be open at once
	 */
	StreamEndpoint(boolean client, int maxActiveStreams) {
		this.parity = client ? 1 : 0;
		this.nextStreamId = client ? 1 : 2;
		this.maxActiveStreams = maxActiveStreams;
	}

	/**
	 * Start the id counter elsewhere, for tests of id exhaustion.
	 * @param nextStreamId the next id to open, of this side's parity
	 */
	void nextStreamIdForTesting(long nextStreamId) {
		this.nextStreamId = nextStreamId;
	}

	/**
	 * Whether an id is of this side's parity.
	 * @param id the stream id
	 * @return whether this side opens streams with that id
	 */
	boolean isValidStreamId(int id) {
		return id > 0 && (id % 2) == this.parity;
	}

	/**
	 * Whether this side has opened (and maybe closed) the stream: an id of its parity no
	 * greater than the last it opened. Others of its parity are idle (6.1).
	 * @param id the stream id
	 * @return whether the id is used
	 */
	boolean mayHaveCreatedStream(int id) {
		return isValidStreamId(id) && id <= this.lastStreamCreated;
	}

	/**
	 * Whether this side has used up its ids.
	 * @return whether no id is left
	 */
	boolean exhausted() {
		return this.nextStreamId > MAX_STREAM_ID;
	}

	/**
	 * Whether one more stream may open now.
	 * @return whether this side is below its concurrency limit
	 */
	boolean canOpenStream() {
		return this.activeStreams < this.maxActiveStreams;
	}

	/**
	 * Take the next id for a stream this side opens.
	 * @param reserved whether the stream takes over the slot of one that closed, already
	 * counted
	 * @return the id
	 */
	int openStream(boolean reserved) {
		int id = (int) this.nextStreamId;
		this.nextStreamId += 2;
		this.lastStreamCreated = id;
		if (!reserved) {
			this.activeStreams++;
		}
		return id;
	}

	/**
	 * Count a stream opened with the given id, the peer's or this side's.
	 * @param id the stream id
	 */
	void created(int id) {
		this.lastStreamCreated = id;
		this.activeStreams++;
	}

	/**
	 * Record an id used without opening a stream (one refused at once).
	 * @param id the stream id
	 */
	void used(int id) {
		this.lastStreamCreated = Math.max(this.lastStreamCreated, id);
	}

	/** Count a stream closed. */
	void closed() {
		this.activeStreams--;
	}

	/**
	 * Return the highest id this side has opened.
	 * @return the id, 0 if none
	 */
	int lastStreamCreated() {
		return this.lastStreamCreated;
	}

	/**
	 * Return the streams of this side open now.
	 * @return the count
	 */
	int activeStreams() {
		return this.activeStreams;
	}

}
