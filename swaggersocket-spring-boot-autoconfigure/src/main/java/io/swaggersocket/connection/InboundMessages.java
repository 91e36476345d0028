package io.swaggersocket.connection;

import java.util.function.Consumer;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.ProtocolException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.socket.WebSocketMessage;

/**
 * What arrives on one connection's WebSocket session, turned into protocol events: each
 * binary message decoded into its one frame, handshake frames to the handshake, DATA to
 * the stream layer as a slice of the message (no copy), the other stream frames to the
 * {@link StreamFrameReader}, pings and pongs to the {@link ConnectionHeartbeat} (or to
 * the bandwidth estimator). Every input that breaks the protocol gets its documented
 * reaction: a stream reset, or the connection closed with its code (docs/PROTOCOL.md
 * section 9). Messages arrive one at a time, on the session's I/O thread.
 */
final class InboundMessages implements Consumer<WebSocketMessage> {

	private static final Log logger = LogFactory.getLog(InboundMessages.class);

	private final SocketConnection connection;

	private final FrameCodec codec;

	InboundMessages(SocketConnection connection, FrameCodec codec) {
		this.connection = connection;
		this.codec = codec;
	}

	/**
	 * Take the next message from the session.
	 * @param message the message
	 */
	@Override
	public void accept(WebSocketMessage message) {
		SocketConnection connection = this.connection;
		if (connection.isTerminated()) {
			return;
		}
		connection.heartbeat().received();
		try {
			switch (message.getType()) {
				case BINARY -> onBinary(message.getPayload());
				case TEXT -> throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.UNSUPPORTED_DATA,
						"Text messages are not part of the protocol");
				case PING -> connection.heartbeat().onPing(bytes(message.getPayload()), connection.openInfo());
				case PONG -> onPong(bytes(message.getPayload()));
			}
		}
		catch (HandshakeException ex) {
			logger.warn(connection.logPrefix() + "Handshake failed: " + ex.getMessage());
			connection.failed(ex,
					Termination.failed(FailureReason.PROTOCOL_ERROR, ex.getCloseCode(), ex.getMessage(), true));
		}
		catch (ProtocolException ex) {
			onProtocolError(ex);
		}
		catch (RuntimeException ex) {
			logger.error(connection.logPrefix() + "Failed to handle an inbound message", ex);
			connection.failed(null, Termination.failed(FailureReason.INTERNAL_ERROR, CloseCodes.INTERNAL_ERROR,
					"Internal error: " + ex, true));
		}
	}

	private void onBinary(DataBuffer payload) {
		SocketConnection connection = this.connection;
		connection.counters().bytes(true, payload.readableByteCount());
		Frame frame = this.codec.decode(InboundFrames.view(payload));
		ConnectionStreams streams = connection.streams();
		if (frame instanceof Frame.Data data && streams != null && connection.openInfo() != null) {
			// a slice of the received message, not a copy: the body's subscriber releases
			// it
			streams.reader()
				.onData(data.streamId(), data.endStream(),
						InboundFrames.payload(payload, data.data(), connection.session().bufferFactory()));
			return;
		}
		onFrame(frame);
	}

	private void onFrame(Frame frame) {
		SocketConnection connection = this.connection;
		if (logger.isTraceEnabled()) {
			logger.trace(connection.logPrefix() + "Received " + frame);
		}
		if (connection.openInfo() == null) {
			connection.onHandshakeFrame(frame);
			return;
		}
		if (frame instanceof Frame.Hello || frame instanceof Frame.Welcome || frame instanceof Frame.Ready) {
			throw new HandshakeException(CloseCodes.HANDSHAKE_VIOLATION,
					"Received " + frame.type() + " after the handshake completed");
		}
		ConnectionStreams streams = connection.streams();
		if (streams != null) {
			streams.reader().onFrame(frame);
		}
	}

	private void onPong(byte[] payload) {
		ConnectionStreams streams = this.connection.streams();
		if (streams != null && BdpEstimator.isEstimatorPayload(payload)) {
			streams.multiplexer().estimatorPong(payload);
			return;
		}
		this.connection.heartbeat().onPong(payload, this.connection.openInfo());
	}

	private void onProtocolError(ProtocolException ex) {
		SocketConnection connection = this.connection;
		boolean open = connection.openInfo() != null;
		if (ex.isStreamError() && open) {
			logger.warn(connection.logPrefix() + "Resetting stream " + ex.streamId() + ": " + ex.getMessage());
			ConnectionStreams streams = connection.streams();
			if (streams != null) {
				streams.reader().resetMalformed(ex.streamId(), ex.errorCode());
			}
			return;
		}
		logger.warn(connection.logPrefix() + "Protocol error, closing with " + ex.closeCode() + ": " + ex.getMessage());
		connection.failed(open ? null : new HandshakeException(ex.closeCode(), ex.getMessage()),
				Termination.failed(FailureReason.PROTOCOL_ERROR, ex.closeCode(), ex.getMessage(), true));
	}

	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		return bytes;
	}

}
