package io.swaggersocket.protocol;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A decoded protocol frame. Each WebSocket binary message carries exactly one frame.
 */
public sealed interface Frame {

	/** Flag bit on HEADERS and DATA: the sender sends nothing more on this stream. */
	int FLAG_END_STREAM = 0x01;

	/**
	 * Return the type of this frame.
	 * @return the type
	 */
	FrameType type();

	/**
	 * Return the stream this frame belongs to; 0 for connection-level frames.
	 * @return the stream id
	 */
	int streamId();

	/**
	 * First handshake frame, client to server.
	 *
	 * @param json a JSON object with {@code metadata} and {@code settings}
	 */
	record Hello(String json) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.HELLO;
		}

		@Override
		public int streamId() {
			return 0;
		}

	}

	/**
	 * Second handshake frame, server to client.
	 *
	 * @param json a JSON object with {@code connectionId} and {@code settings}
	 */
	record Welcome(String json) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.WELCOME;
		}

		@Override
		public int streamId() {
			return 0;
		}

	}

	/**
	 * Third handshake frame, client to server: the client accepted WELCOME.
	 */
	record Ready() implements Frame {

		@Override
		public FrameType type() {
			return FrameType.READY;
		}

		@Override
		public int streamId() {
			return 0;
		}

	}

	/**
	 * Request or response headers.
	 *
	 * @param streamId the stream, never 0
	 * @param endStream whether the sender's side of the stream ends here (no body)
	 * @param headers the header fields, pseudo-headers first
	 */
	record Headers(int streamId, boolean endStream, List<Header> headers) implements Frame {

		public Headers {
			headers = List.copyOf(headers);
		}

		@Override
		public FrameType type() {
			return FrameType.HEADERS;
		}

	}

	/**
	 * A chunk of a body.
	 *
	 * @param streamId the stream, never 0
	 * @param endStream whether this is the last chunk
	 * @param data the bytes between position and limit
	 */
	record Data(int streamId, boolean endStream, ByteBuffer data) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.DATA;
		}

	}

	/**
	 * Abandons a stream.
	 *
	 * @param streamId the stream, never 0
	 * @param errorCode why
	 */
	record Reset(int streamId, ErrorCode errorCode) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.RESET;
		}

	}

	/**
	 * Grants flow-control credit.
	 *
	 * @param streamId the stream, or 0 for the connection window
	 * @param increment bytes granted, 1 to 2^31-1
	 */
	record WindowUpdate(int streamId, int increment) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.WINDOW_UPDATE;
		}

	}

	/**
	 * Graceful shutdown announcement.
	 *
	 * @param lastStreamId the highest stream id opened by the receiver that the sender
	 * will still process
	 * @param errorCode why ({@link ErrorCode#NO_ERROR} for a planned shutdown)
	 * @param message human-readable detail, possibly empty; encoded as at most 1024 bytes
	 * of UTF-8, longer messages are cut at a character boundary
	 */
	record GoAway(int lastStreamId, ErrorCode errorCode, String message) implements Frame {

		@Override
		public FrameType type() {
			return FrameType.GOAWAY;
		}

		@Override
		public int streamId() {
			return 0;
		}

	}

}
