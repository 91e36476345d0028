package io.swaggersocket.connection;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.protocol.ProtocolException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Applies the peer's stream frames to the stream layer, as docs/PROTOCOL.md 6.4 and
 * section 7 say: which frames open streams, which are stream errors (RESET) and which are
 * connection errors ({@link ProtocolException}, which closes the connection).
 */
final class StreamFrameReader {

	private final Multiplexer multiplexer;

	StreamFrameReader(Multiplexer multiplexer) {
		this.multiplexer = multiplexer;
	}

	/**
	 * Apply a stream frame other than DATA.
	 * @param frame the frame
	 */
	void onFrame(Frame frame) {
		if (frame instanceof Frame.Headers headers) {
			onHeaders(headers);
		}
		else if (frame instanceof Frame.Reset reset) {
			Stream stream = stream(reset.streamId());
			if (stream != null) {
				onPeerReset(stream, reset.errorCode());
			}
		}
		else if (frame instanceof Frame.WindowUpdate update) {
			onWindowUpdate(update);
		}
		else if (frame instanceof Frame.GoAway goAway) {
			this.multiplexer.goAway.onGoAway(goAway);
		}
	}

	private @Nullable Stream stream(int id) {
		synchronized (this.multiplexer) {
			return this.multiplexer.streams.get(id);
		}
	}

	private void onHeaders(Frame.Headers frame) {
		int id = frame.streamId();
		Stream stream;
		StreamHandling handling;
		synchronized (this.multiplexer) {
			stream = this.multiplexer.streams.get(id);
			if (stream == null) {
				if (this.multiplexer.localEndpoint.isValidStreamId(id)) {
					if (!this.multiplexer.localEndpoint.mayHaveCreatedStream(id)) {
						throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
								"HEADERS on stream " + id + " that this side never opened");
					}
					return; // a stream we already closed: discard
				}
				if (id <= this.multiplexer.remoteEndpoint.lastStreamCreated()) {
					throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
							"HEADERS reuses stream id " + id);
				}
				handling = this.multiplexer.remoteStreams.openRemote(frame);
			}
			else {
				handling = null;
			}
		}
		if (stream == null) {
			if (handling != null) {
				// the handler starts outside the monitor: handlers on other loops write
				// their responses meanwhile
				handling.start();
			}
			return;
		}
		if (!stream.local) {
			throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
					"Second request HEADERS on stream " + id);
		}
		onResponseHeaders(stream, frame);
	}

	private void onResponseHeaders(Stream stream, Frame.Headers frame) {
		int id = stream.id;
		MonoSink<StreamMessage> response;
		synchronized (this.multiplexer) {
			if (stream.responded) {
				response = null;
			}
			else if (Header.isWellFormedResponse(frame.headers())) {
				stream.responded = true;
				stream.status = Header.status(frame.headers());
				if (frame.endStream()) {
					this.multiplexer.remoteEnded(stream);
				}
				response = stream.response;
			}
			else {
				// a response the caller cannot use: without the RESET the stream would
				// stay open and count against the peer's limit for good
				this.multiplexer.context()
					.logger()
					.debug(this.multiplexer.logPrefix() + "Resetting stream " + id + ": response pseudo-header "
							+ "fields are missing, repeated, unknown, misplaced or out of range");
				response = null;
			}
		}
		if (response == null) {
			String detail = stream.responded ? "Unexpected second HEADERS on stream " + id
					: "Malformed response on stream " + id + ": pseudo-header fields "
							+ StreamOutcomes.pseudoHeaders(frame.headers());
			// no trailers in this version
			this.multiplexer.reset(stream, ErrorCode.PROTOCOL_ERROR,
					new SwaggerSocketStreamResetException(ErrorCode.PROTOCOL_ERROR, detail), true);
			return;
		}
		response.success(new StreamMessage(frame.headers(), stream.inbound.flux(), frame.endStream()));
		if (frame.endStream()) {
			this.multiplexer.maybeClose(stream);
		}
	}

	/**
	 * Apply a DATA frame.
	 * @param id the stream id
	 * @param endStream whether it ends the peer's half
	 * @param data the payload, owned by the stream layer from now on
	 */
	void onData(int id, boolean endStream, DataBuffer data) {
		int length = data.readableByteCount();
		Stream stream;
		ErrorCode violation = null;
		try {
			synchronized (this.multiplexer) {
				this.multiplexer.inboundFlow().receivedOnConnection(length);
				stream = this.multiplexer.streams.get(id);
				if (stream == null) {
					boolean idle = this.multiplexer.localEndpoint.isValidStreamId(id)
							? !this.multiplexer.localEndpoint.mayHaveCreatedStream(id)
							: id > this.multiplexer.remoteEndpoint.lastStreamCreated();
					if (idle) {
						throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR,
								"DATA on stream " + id + " that was never opened");
					}
					this.multiplexer.discard(data);
					return;
				}
				if (!stream.state.remoteSideOpen() || (stream.local && !stream.responded)) {
					violation = stream.state.remoteSideOpen() ? ErrorCode.PROTOCOL_ERROR : ErrorCode.STREAM_CLOSED;
				}
				else if (!this.multiplexer.inboundFlow().receivedOnStream(stream, length)) {
					violation = ErrorCode.FLOW_CONTROL_ERROR;
				}
				else if (endStream) {
					// ended before the last bytes go out: a subscriber that cancels on
					// them (Flux.next(), Mono.from) cancels a complete response, which
					// needs no RESET CANCEL
					stream.state = stream.state.remoteEnded();
				}
			}
		}
		catch (RuntimeException ex) {
			DataBufferUtils.release(data);
			throw ex;
		}
		if (violation != null) {
			String detail = (violation == ErrorCode.FLOW_CONTROL_ERROR) ? "The peer exceeded the stream window"
					: "DATA on stream " + id + " in the wrong state";
			this.multiplexer.reset(stream, violation, new SwaggerSocketStreamResetException(violation, detail), true);
			// the reaction first, then the discarded bytes' credit (section 7)
			this.multiplexer.discard(data);
			return;
		}
		if (length > 0) {
			stream.inbound.deliver(data);
		}
		else {
			DataBufferUtils.release(data);
		}
		if (endStream) {
			stream.inbound.complete();
			this.multiplexer.maybeClose(stream);
		}
	}

	private void onPeerReset(Stream stream, ErrorCode code) {
		boolean completeResponse;
		synchronized (this.multiplexer) {
			completeResponse = code == ErrorCode.NO_ERROR && stream.local && !stream.state.remoteSideOpen();
			if (completeResponse) {
				// the response is complete; the peer only asks us to stop sending the
				// request body
				stream.state = stream.state.localEnded();
			}
		}
		if (completeResponse) {
			stream.outbound.dispose();
			this.multiplexer.maybeClose(stream);
			return;
		}
		this.multiplexer.context().counters().streamReset(code, false);
		RuntimeException failure = (code == ErrorCode.REFUSED_STREAM)
				? new SwaggerSocketStreamRefusedException("The peer refused stream " + stream.id + "; safe to retry")
				: new SwaggerSocketStreamResetException(code, "The peer reset stream " + stream.id + " with " + code);
		this.multiplexer.reset(stream, null, failure, true);
	}

	private void onWindowUpdate(Frame.WindowUpdate update) {
		synchronized (this.multiplexer) {
			if (update.streamId() == 0) {
				this.multiplexer.outboundFlow().connectionWindowUpdate(update.increment());
				return;
			}
			Stream stream = this.multiplexer.streams.get(update.streamId());
			if (stream != null) {
				this.multiplexer.outboundFlow().streamWindowUpdate(stream, update.increment());
			}
		}
	}

	/**
	 * Reset a stream on a stream-level protocol error found while decoding its frame.
	 * @param id the stream id
	 * @param code the error code
	 */
	void resetMalformed(int id, ErrorCode code) {
		Stream stream;
		StreamHandling handling;
		synchronized (this.multiplexer) {
			stream = this.multiplexer.streams.get(id);
			if (stream == null) {
				if (this.multiplexer.remoteEndpoint.isValidStreamId(id)
						&& id > this.multiplexer.remoteEndpoint.lastStreamCreated()) {
					// a refused HEADERS still opens (and closes) its stream id
					this.multiplexer.remoteEndpoint.used(id);
				}
				this.multiplexer.sendReset(id, code);
				return;
			}
		}
		this.multiplexer.reset(stream, code,
				new SwaggerSocketStreamResetException(code, "Malformed frame on stream " + id), true);
	}

}
