package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * GOAWAY in both directions and the drain of a closing connection (docs/PROTOCOL.md
 * section 8): which streams the peer will still process, whether this side takes new
 * ones, and when the last stream in flight has finished. Guarded by the multiplexer's
 * monitor.
 */
final class GoAway {

	private final Multiplexer multiplexer;

	// Both created only when somebody waits for them (a closing connection, a WebSocket
	// stream): a hub's idle connections keep neither. Guarded by this object's monitor,
	// which is taken after the multiplexer's, never before.
	private Sinks.@Nullable Empty<Void> drained;

	private boolean isDrained;

	private Sinks.@Nullable Empty<Void> announced;

	private boolean isAnnounced;

	private int peerLastStreamId = Integer.MAX_VALUE;

	private boolean sent;

	GoAway(Multiplexer multiplexer) {
		this.multiplexer = multiplexer;
	}

	/**
	 * Whether no new stream may open: either side announced GOAWAY.
	 * @return whether the connection is going away
	 */
	boolean goingAway() {
		return this.sent || this.peerLastStreamId != Integer.MAX_VALUE;
	}

	/**
	 * Whether this side sent GOAWAY and takes no new streams from the peer.
	 * @return whether this side is going away
	 */
	boolean sent() {
		return this.sent;
	}

	/**
	 * Called with the monitor held, after the last frame of the last stream is queued.
	 * @param startingNext whether a waiting stream is about to open
	 */
	void signalIfDrained(boolean startingNext) {
		if (this.sent && this.multiplexer.streams.isEmpty() && !startingNext) {
			emitDrained();
		}
	}

	/** The connection ended: nobody waits for a drain any more. */
	void terminated() {
		emitDrained();
		emitAnnounced();
	}

	/**
	 * Complete once either side has announced GOAWAY, or the connection has ended.
	 * @return completes when the connection takes no new streams
	 */
	synchronized Mono<Void> announced() {
		if (this.isAnnounced) {
			return Mono.empty();
		}
		Sinks.Empty<Void> announced = this.announced;
		if (announced == null) {
			announced = Sinks.empty();
			this.announced = announced;
		}
		return announced.asMono();
	}

	private void emitAnnounced() {
		Sinks.Empty<Void> announced;
		synchronized (this) {
			this.isAnnounced = true;
			announced = this.announced;
		}
		if (announced != null) {
			announced.tryEmitEmpty();
		}
	}

	private synchronized Mono<Void> drainedMono() {
		if (this.isDrained) {
			return Mono.empty();
		}
		Sinks.Empty<Void> drained = this.drained;
		if (drained == null) {
			drained = Sinks.empty();
			this.drained = drained;
		}
		return drained.asMono();
	}

	private void emitDrained() {
		Sinks.Empty<Void> drained;
		synchronized (this) {
			this.isDrained = true;
			drained = this.drained;
		}
		if (drained != null) {
			drained.tryEmitEmpty();
		}
	}

	/** The peer's GOAWAY: the streams it will not process are refused, safe to retry. */
	void onGoAway(Frame.GoAway goAway) {
		List<Stream> refused = new ArrayList<>();
		synchronized (this.multiplexer) {
			this.peerLastStreamId = Math.min(this.peerLastStreamId, goAway.lastStreamId());
			for (Stream stream : this.multiplexer.streams.values()) {
				if (stream.local && stream.id > this.peerLastStreamId) {
					refused.add(stream);
				}
			}
			refused.addAll(this.multiplexer.pendingOpens);
			this.multiplexer.pendingOpens.clear();
		}
		for (Stream stream : refused) {
			this.multiplexer.reset(stream, null,
					new SwaggerSocketStreamRefusedException("The peer is going away and did not process this stream"),
					false);
		}
		emitAnnounced();
	}

	/**
	 * Stop accepting streams from the peer and announce it with GOAWAY.
	 * @param reason the GOAWAY message
	 */
	void goAway(String reason) {
		List<Stream> refused;
		synchronized (this.multiplexer) {
			if (this.sent) {
				return;
			}
			this.sent = true;
			this.multiplexer.writer.write(
					new Frame.GoAway(this.multiplexer.remoteEndpoint.lastStreamCreated(), ErrorCode.NO_ERROR, reason));
			// waiting callers will not be served on this connection: refused, safe to
			// retry elsewhere
			refused = new ArrayList<>(this.multiplexer.pendingOpens);
			this.multiplexer.pendingOpens.clear();
			if (this.multiplexer.streams.isEmpty()) {
				emitDrained();
			}
		}
		for (Stream pending : refused) {
			MonoSink<StreamMessage> response = pending.response;
			if (response != null) {
				response.error(new SwaggerSocketStreamRefusedException("The connection is going away"));
			}
		}
		emitAnnounced();
	}

	/**
	 * Announce GOAWAY and wait for the streams in flight, in both directions, to finish.
	 * @param reason the GOAWAY message
	 * @return completes once no stream is open
	 */
	Mono<Void> drain(String reason) {
		goAway(reason);
		return drainedMono();
	}

	/** Reset every stream still open with CANCEL, for a drain that ran out of time. */
	void cancelAll() {
		List<Stream> open;
		synchronized (this.multiplexer) {
			open = new ArrayList<>(this.multiplexer.streams.values());
		}
		for (Stream stream : open) {
			this.multiplexer.reset(stream, ErrorCode.CANCEL, new SwaggerSocketStreamResetException(ErrorCode.CANCEL,
					"Stream " + stream.id + " still open when the connection shut down"), true);
		}
	}

}
