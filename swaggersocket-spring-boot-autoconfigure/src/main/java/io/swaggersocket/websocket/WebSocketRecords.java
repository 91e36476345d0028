package io.swaggersocket.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;

/**
 * The records that carry WebSocket messages in a stream's DATA (docs/PROTOCOL.md section
 * 13): a type byte, a {@code u32} payload length, the payload. Records do not follow DATA
 * frame boundaries: one frame may hold several, one record may span several frames.
 */
final class WebSocketRecords {

	static final int TEXT = 0x1;

	static final int BINARY = 0x2;

	static final int CLOSE = 0x8;

	static final int PING = 0x9;

	static final int PONG = 0xA;

	/** Not on the wire: what the decoder yields when the peer broke the rules. */
	static final int INVALID = -1;

	static final int HEADER_LENGTH = 5;

	/** The largest payload of a close, ping or pong record, as in RFC 6455. */
	static final int MAX_CONTROL_PAYLOAD = 125;

	private WebSocketRecords() {
	}

	/**
	 * Encode a message as one record, releasing its payload.
	 * @param message a text, binary, ping or pong message
	 * @return the record
	 */
	static DataBuffer encode(WebSocketMessage message) {
		DataBuffer payload = message.getPayload();
		try {
			int type = switch (message.getType()) {
				case TEXT -> TEXT;
				case BINARY -> BINARY;
				case PING -> PING;
				case PONG -> PONG;
			};
			int length = payload.readableByteCount();
			if (type >= CLOSE && length > MAX_CONTROL_PAYLOAD) {
				throw new IllegalArgumentException(
						"A " + message.getType() + " message carries at most " + MAX_CONTROL_PAYLOAD + " bytes");
			}
			DataBuffer encoded = DefaultDataBufferFactory.sharedInstance.allocateBuffer(HEADER_LENGTH + length);
			encoded.write((byte) type);
			encoded.write(ByteBuffer.allocate(4).putInt(0, length));
			encoded.write(payload);
			return encoded;
		}
		finally {
			DataBufferUtils.release(payload);
		}
	}

	/**
	 * Encode a close record.
	 * @param status the code and reason
	 * @return the record
	 */
	static DataBuffer close(CloseStatus status) {
		if (status.getCode() == CloseStatus.NO_STATUS_CODE.getCode()) {
			// the peer's close without a code is answered in kind
			DataBuffer encoded = DefaultDataBufferFactory.sharedInstance.allocateBuffer(HEADER_LENGTH);
			encoded.write((byte) CLOSE);
			encoded.write(ByteBuffer.allocate(4));
			return encoded;
		}
		byte[] reason = truncatedReason(status.getReason());
		DataBuffer encoded = DefaultDataBufferFactory.sharedInstance.allocateBuffer(HEADER_LENGTH + 2 + reason.length);
		encoded.write((byte) CLOSE);
		encoded.write(ByteBuffer.allocate(4).putInt(0, 2 + reason.length));
		encoded.write(new byte[] { (byte) (status.getCode() >> 8), (byte) status.getCode() });
		encoded.write(reason);
		return encoded;
	}

	/** A reason fits a close record of at most 125 bytes, cut at a character boundary. */
	private static byte[] truncatedReason(@Nullable String reason) {
		if (reason == null) {
			return new byte[0];
		}
		int end = reason.length();
		byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
		while (utf8.length > MAX_CONTROL_PAYLOAD - 2) {
			end = reason.offsetByCodePoints(end, -1);
			utf8 = reason.substring(0, end).getBytes(StandardCharsets.UTF_8);
		}
		return utf8;
	}

	/**
	 * A decoded record.
	 *
	 * @param type the record type
	 * @param payload the payload, copied out of the stream's buffers (never compared or
	 * hashed, so an array will do)
	 */
	@SuppressWarnings("ArrayRecordComponent")
	record ReceivedRecord(int type, byte[] payload) {

		/** The record that stands for the peer's breaking the rules. */
		static ReceivedRecord invalid(int closeCode, @Nullable String reason) {
			byte[] text = truncatedReason(reason);
			byte[] payload = new byte[2 + text.length];
			payload[0] = (byte) (closeCode >> 8);
			payload[1] = (byte) closeCode;
			System.arraycopy(text, 0, payload, 2, text.length);
			return new ReceivedRecord(INVALID, payload);
		}

		WebSocketMessage message() {
			WebSocketMessage.Type messageType = switch (this.type) {
				case TEXT -> WebSocketMessage.Type.TEXT;
				case BINARY -> WebSocketMessage.Type.BINARY;
				case PING -> WebSocketMessage.Type.PING;
				default -> WebSocketMessage.Type.PONG;
			};
			return new WebSocketMessage(messageType, DefaultDataBufferFactory.sharedInstance.wrap(this.payload));
		}

		/** The status of a close record; 1005 when it carries no code. */
		CloseStatus closeStatus() {
			if (this.payload.length < 2) {
				return CloseStatus.NO_STATUS_CODE;
			}
			int code = ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF);
			String reason = new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8);
			return new CloseStatus(code, reason.isEmpty() ? null : reason);
		}

	}

	/**
	 * A peer's records that break the rules: the session closes with the code.
	 */
	private static final class RecordException extends RuntimeException {

		private final int closeCode;

		RecordException(int closeCode, String message) {
			super(message);
			this.closeCode = closeCode;
		}

		int closeCode() {
			return this.closeCode;
		}

	}

	/**
	 * Reassembles records from a stream's buffers. Holds at most one partial record,
	 * which is at most the largest message the session accepts.
	 */
	static final class Decoder {

		private final int maxMessageSize;

		private final byte[] header = new byte[HEADER_LENGTH];

		private int headerRead;

		private byte @Nullable [] payload;

		private int payloadRead;

		private boolean failed;

		Decoder(int maxMessageSize) {
			this.maxMessageSize = maxMessageSize;
		}

		/**
		 * Take the next buffer of the stream, releasing it.
		 * @param buffer the bytes
		 * @return the records it completed (after records that break the rules, one
		 * {@link #INVALID} record and nothing more)
		 */
		List<ReceivedRecord> decode(DataBuffer buffer) {
			try {
				if (this.failed) {
					return List.of();
				}
				List<ReceivedRecord> records = new ArrayList<>(1);
				while (buffer.readableByteCount() > 0) {
					ReceivedRecord decoded = next(buffer);
					if (decoded != null) {
						records.add(decoded);
					}
				}
				return records;
			}
			catch (RecordException ex) {
				// the rest of the stream is discarded: the session is closing
				this.failed = true;
				return List.of(ReceivedRecord.invalid(ex.closeCode(), ex.getMessage()));
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

		/** Whether the stream may end here: no record is partly received. */
		boolean atRecordBoundary() {
			return this.headerRead == 0;
		}

		private @Nullable ReceivedRecord next(DataBuffer buffer) {
			if (this.headerRead < HEADER_LENGTH) {
				int count = Math.min(HEADER_LENGTH - this.headerRead, buffer.readableByteCount());
				buffer.read(this.header, this.headerRead, count);
				this.headerRead += count;
				if (this.headerRead < HEADER_LENGTH) {
					return null;
				}
				this.payload = new byte[payloadLength()];
				this.payloadRead = 0;
			}
			byte[] payload = this.payload;
			if (payload == null) {
				throw new IllegalStateException("A record header without its payload");
			}
			int count = Math.min(payload.length - this.payloadRead, buffer.readableByteCount());
			buffer.read(payload, this.payloadRead, count);
			this.payloadRead += count;
			if (this.payloadRead < payload.length) {
				return null;
			}
			this.headerRead = 0;
			this.payload = null;
			int type = this.header[0] & 0xFF;
			if (type == TEXT) {
				checkUtf8(payload);
			}
			return new ReceivedRecord(type, payload);
		}

		private int payloadLength() {
			int type = this.header[0] & 0xFF;
			long length = ((this.header[1] & 0xFFL) << 24) | ((this.header[2] & 0xFFL) << 16)
					| ((this.header[3] & 0xFFL) << 8) | (this.header[4] & 0xFFL);
			switch (type) {
				case TEXT, BINARY -> {
					if (length > this.maxMessageSize) {
						throw new RecordException(CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "A message of " + length
								+ " bytes is larger than the " + this.maxMessageSize + " this side accepts");
					}
				}
				case CLOSE, PING, PONG -> {
					if (length > MAX_CONTROL_PAYLOAD || (type == CLOSE && length == 1)) {
						throw new RecordException(CloseStatus.PROTOCOL_ERROR.getCode(),
								"A control record of " + length + " bytes");
					}
				}
				default -> throw new RecordException(CloseStatus.PROTOCOL_ERROR.getCode(),
						"Unknown WebSocket record type " + type);
			}
			return (int) length;
		}

		private static void checkUtf8(byte[] payload) {
			try {
				StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(payload));
			}
			catch (CharacterCodingException ex) {
				throw new RecordException(CloseStatus.BAD_DATA.getCode(), "A text message that is not valid UTF-8");
			}
		}

	}

}
