package io.swaggersocket.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes frames to bytes and decodes them back, enforcing the receiver's limits.
 *
 * <p>
 * Layout of every frame (big-endian): <pre>
 * +--------+--------+--------------------------------+--------------------------------+
 * | type 8 | flags 8|  stream id 32 (high bit = 0)   |  payload length 32             |
 * +--------+--------+--------------------------------+--------------------------------+
 * | payload (length bytes)                                                            |
 * +-----------------------------------------------------------------------------------+
 * </pre> Decoding never throws anything but {@link ProtocolException}. Instances are
 * immutable and thread-safe.
 */
public final class FrameCodec {

	/** The WebSocket subprotocol naming this version of the protocol. */
	public static final String SUBPROTOCOL = "swaggersocket.v1";

	/** Bytes before the payload of every frame. */
	public static final int HEADER_LENGTH = 10;

	/**
	 * The largest payload of a HELLO, WELCOME or GOAWAY message that any receiver must
	 * accept.
	 */
	public static final int MIN_MAX_FRAME_SIZE = 16 * 1024;

	private static final int MAX_GOAWAY_MESSAGE = 1024;

	/**
	 * The characters of an HTTP token (RFC 9110 section 5.6.2), by ASCII code: every
	 * field name of every HEADERS frame is checked against it.
	 */
	private static final boolean[] TOKEN_CHARS = tokenChars();

	private final int maxFrameSize;

	private final int maxHeaderBlockSize;

	/**
	 * Create a codec.
	 * @param maxFrameSize the largest payload accepted on decode, at least
	 * {@link #MIN_MAX_FRAME_SIZE}
	 * @param maxHeaderBlockSize the largest HEADERS payload accepted on decode
	 */
	public FrameCodec(int maxFrameSize, int maxHeaderBlockSize) {
		if (maxFrameSize < MIN_MAX_FRAME_SIZE) {
			throw new IllegalArgumentException("maxFrameSize must be at least " + MIN_MAX_FRAME_SIZE);
		}
		if (maxHeaderBlockSize < 2) {
			throw new IllegalArgumentException("maxHeaderBlockSize must be at least 2");
		}
		this.maxFrameSize = maxFrameSize;
		this.maxHeaderBlockSize = maxHeaderBlockSize;
	}

	/**
	 * Return the largest payload this codec accepts on decode.
	 * @return the limit in bytes
	 */
	public int maxFrameSize() {
		return this.maxFrameSize;
	}

	/**
	 * Encode a frame into a new buffer, ready to read.
	 * @param frame the frame
	 * @return the encoded bytes
	 */
	public ByteBuffer encode(Frame frame) {
		if (frame instanceof Frame.Headers headers) {
			return encodeHeaders(headers);
		}
		byte[] payload = payload(frame);
		int length = (frame instanceof Frame.Data data) ? data.data().remaining() : payload.length;
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + length);
		writeHeader(buffer, frame.type(), flags(frame), frame.streamId(), length);
		if (frame instanceof Frame.Data data) {
			buffer.put(data.data().duplicate());
		}
		else {
			buffer.put(payload);
		}
		return buffer.flip();
	}

	/**
	 * Write a frame header, for callers that assemble the payload themselves (DATA
	 * without copying).
	 * @param target where to write {@link #HEADER_LENGTH} bytes
	 * @param type the frame type
	 * @param flags the flags
	 * @param streamId the stream id
	 * @param payloadLength the payload length that follows
	 */
	public static void writeHeader(ByteBuffer target, FrameType type, int flags, int streamId, int payloadLength) {
		target.put((byte) type.code());
		target.put((byte) flags);
		target.putInt(streamId);
		target.putInt(payloadLength);
	}

	private static int flags(Frame frame) {
		if (frame instanceof Frame.Headers headers) {
			return headers.endStream() ? Frame.FLAG_END_STREAM : 0;
		}
		if (frame instanceof Frame.Data data) {
			return data.endStream() ? Frame.FLAG_END_STREAM : 0;
		}
		return 0;
	}

	private static byte[] payload(Frame frame) {
		if (frame instanceof Frame.Hello hello) {
			return hello.json().getBytes(StandardCharsets.UTF_8);
		}
		if (frame instanceof Frame.Welcome welcome) {
			return welcome.json().getBytes(StandardCharsets.UTF_8);
		}
		if (frame instanceof Frame.Reset reset) {
			return ByteBuffer.allocate(4).putInt(reset.errorCode().code()).array();
		}
		if (frame instanceof Frame.WindowUpdate update) {
			return ByteBuffer.allocate(4).putInt(update.increment()).array();
		}
		if (frame instanceof Frame.GoAway goAway) {
			byte[] message = goAwayMessage(goAway.message());
			return ByteBuffer.allocate(8 + message.length)
				.putInt(goAway.lastStreamId())
				.putInt(goAway.errorCode().code())
				.put(message)
				.array();
		}
		return new byte[0];
	}

	private static byte[] goAwayMessage(String message) {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		if (bytes.length <= MAX_GOAWAY_MESSAGE) {
			return bytes;
		}
		// the message is diagnostic only: cut it at a character boundary rather than send
		// a frame the peer must reject
		int end = MAX_GOAWAY_MESSAGE;
		while ((bytes[end] & 0xC0) == 0x80) {
			end--;
		}
		return Arrays.copyOf(bytes, end);
	}

	/**
	 * Return the size of the HEADERS payload a header block encodes to, for a sender that
	 * must keep within the receiver's {@code maxHeaderBlockSize} and
	 * {@code maxFrameSize}.
	 * @param headers the header block
	 * @return its encoded size in bytes, or {@link Long#MAX_VALUE} if it cannot be
	 * encoded at all (a field over 65535 bytes, more than 65535 fields)
	 */
	public static long headerBlockSize(List<Header> headers) {
		if (headers.size() > 0xFFFF) {
			return Long.MAX_VALUE;
		}
		long size = 2;
		for (Header header : headers) {
			int name = utf8Length(header.name());
			int value = utf8Length(header.value());
			if (name == 0 || name > 0xFFFF || value > 0xFFFF) {
				return Long.MAX_VALUE;
			}
			size += 4 + name + value;
		}
		return size;
	}

	private static int utf8Length(String text) {
		// rare outside ASCII: let the encoder count
		return isAscii(text) ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * A HEADERS frame, its fields written straight into the frame's one buffer: it is
	 * encoded for every request and response.
	 */
	private static ByteBuffer encodeHeaders(Frame.Headers frame) {
		List<Header> headers = frame.headers();
		long size = headerBlockSize(headers);
		if (size == Long.MAX_VALUE) {
			throw new IllegalArgumentException(
					"A header block has at most 65535 fields, names of 1-65535 bytes and values of at most 65535 bytes");
		}
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + (int) size);
		writeHeader(buffer, FrameType.HEADERS, flags(frame), frame.streamId(), (int) size);
		buffer.putShort((short) headers.size());
		for (Header header : headers) {
			putString(buffer, header.name());
			putString(buffer, header.value());
		}
		return buffer.flip();
	}

	private static void putString(ByteBuffer buffer, String text) {
		if (isAscii(text)) {
			// as nearly every field is: one byte per character
			buffer.putShort((short) text.length());
			for (int i = 0; i < text.length(); i++) {
				buffer.put((byte) text.charAt(i));
			}
		}
		else {
			byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
			buffer.putShort((short) bytes.length);
			buffer.put(bytes);
		}
	}

	private static boolean isAscii(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) >= 0x80) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Decode one frame from one WebSocket binary message. DATA payloads are read-only
	 * views of the input buffer, so the caller must not reuse it while the frame is in
	 * use.
	 * @param message the whole message, between position and limit
	 * @return the frame
	 * @throws ProtocolException if the message is not a valid frame within this codec's
	 * limits
	 */
	public Frame decode(ByteBuffer message) {
		ByteBuffer in = message.duplicate();
		if (in.remaining() < HEADER_LENGTH) {
			throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR,
					"Frame of " + in.remaining() + " bytes is shorter than the " + HEADER_LENGTH + "-byte header");
		}
		int typeCode = in.get() & 0xFF;
		int flags = in.get() & 0xFF;
		int streamId = in.getInt();
		long length = in.getInt() & 0xFFFFFFFFL;
		FrameType type = FrameType.of(typeCode);
		if (type == null) {
			throw protocolError("Unknown frame type 0x" + Integer.toHexString(typeCode));
		}
		if (streamId < 0) {
			throw protocolError("Reserved high bit of the stream id is set");
		}
		if (length > this.maxFrameSize) {
			throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.MESSAGE_TOO_BIG,
					type + " payload of " + length + " bytes exceeds maxFrameSize " + this.maxFrameSize);
		}
		if (length != in.remaining()) {
			throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR,
					type + " declares a payload of " + length + " bytes but the message carries " + in.remaining());
		}
		checkStreamId(type, streamId);
		try {
			return decodePayload(type, flags, streamId, in.slice());
		}
		catch (BufferUnderflowException ex) {
			throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR,
					type + " payload is truncated");
		}
	}

	private Frame decodePayload(FrameType type, int flags, int streamId, ByteBuffer payload) {
		boolean endStream = (flags & Frame.FLAG_END_STREAM) != 0;
		switch (type) {
			case HELLO:
				return new Frame.Hello(utf8(type, payload));
			case WELCOME:
				return new Frame.Welcome(utf8(type, payload));
			case READY:
				expectLength(type, payload, 0);
				return new Frame.Ready();
			case HEADERS:
				if (payload.remaining() > this.maxHeaderBlockSize) {
					throw ProtocolException.stream(streamId, ErrorCode.HEADERS_TOO_LARGE, "Header block of "
							+ payload.remaining() + " bytes exceeds maxHeaderBlockSize " + this.maxHeaderBlockSize);
				}
				List<Header> fields = decodeHeaderBlock(payload);
				checkHttpFields(streamId, fields);
				return new Frame.Headers(streamId, endStream, fields);
			case DATA:
				return new Frame.Data(streamId, endStream, payload.asReadOnlyBuffer());
			case RESET:
				expectLength(type, payload, 4);
				return new Frame.Reset(streamId, ErrorCode.of(payload.getInt()));
			case WINDOW_UPDATE:
				expectLength(type, payload, 4);
				int increment = payload.getInt();
				if (increment <= 0) {
					throw protocolError(
							"WINDOW_UPDATE increment must be 1 to 2^31-1, was " + (increment & 0xFFFFFFFFL));
				}
				return new Frame.WindowUpdate(streamId, increment);
			case GOAWAY:
				if (payload.remaining() < 8 || payload.remaining() > 8 + MAX_GOAWAY_MESSAGE) {
					throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR,
							"GOAWAY payload must be 8 to " + (8 + MAX_GOAWAY_MESSAGE) + " bytes, was "
									+ payload.remaining());
				}
				int lastStreamId = payload.getInt();
				if (lastStreamId < 0) {
					throw protocolError("Reserved high bit of the GOAWAY last stream id is set");
				}
				ErrorCode errorCode = ErrorCode.of(payload.getInt());
				return new Frame.GoAway(lastStreamId, errorCode, utf8(type, payload));
			default:
				throw protocolError("Unknown frame type " + type);
		}
	}

	private static void checkStreamId(FrameType type, int streamId) {
		boolean connectionLevel = type == FrameType.HELLO || type == FrameType.WELCOME || type == FrameType.READY
				|| type == FrameType.GOAWAY;
		boolean streamLevel = type == FrameType.HEADERS || type == FrameType.DATA || type == FrameType.RESET;
		if (connectionLevel && streamId != 0) {
			throw protocolError(type + " must be sent on stream 0, was on stream " + streamId);
		}
		if (streamLevel && streamId == 0) {
			throw protocolError(type + " must not be sent on stream 0");
		}
	}

	private static void expectLength(FrameType type, ByteBuffer payload, int expected) {
		if (payload.remaining() != expected) {
			throw new ProtocolException(ErrorCode.FRAME_SIZE_ERROR, CloseCodes.PROTOCOL_ERROR,
					type + " payload must be " + expected + " bytes, was " + payload.remaining());
		}
	}

	/**
	 * Fields that HTTP/1.1 cannot carry make the message malformed (as in HTTP/2, RFC
	 * 9113 section 8.2.1): a name that is not a token (RFC 9110 section 5.1), after the
	 * {@code :} of a pseudo-header field; a value with a control character other than
	 * HTAB (CR, LF and NUL included). Relayed into HTTP/1.1 such a field would split a
	 * message or be refused there.
	 */
	private static void checkHttpFields(int streamId, List<Header> fields) {
		for (Header field : fields) {
			String name = field.name();
			int start = name.startsWith(":") ? 1 : 0;
			if (start == name.length()) {
				throw ProtocolException.stream(streamId, ErrorCode.PROTOCOL_ERROR, "Empty pseudo-header field name");
			}
			for (int i = start; i < name.length(); i++) {
				if (!isTokenChar(name.charAt(i))) {
					throw ProtocolException.stream(streamId, ErrorCode.PROTOCOL_ERROR,
							"Header field name is not an HTTP token (character " + (int) name.charAt(i) + " at " + i
									+ ")");
				}
			}
			String value = field.value();
			for (int i = 0; i < value.length(); i++) {
				char c = value.charAt(i);
				if ((c < 0x20 && c != '\t') || c == 0x7F) {
					throw ProtocolException.stream(streamId, ErrorCode.PROTOCOL_ERROR,
							"Value of header field '" + name + "' holds control character " + (int) c + " at " + i);
				}
			}
		}
	}

	private static boolean isTokenChar(char c) {
		return c < TOKEN_CHARS.length && TOKEN_CHARS[c];
	}

	private static boolean[] tokenChars() {
		boolean[] token = new boolean[128];
		for (char c = 0; c < token.length; c++) {
			token[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
		}
		return token;
	}

	private static List<Header> decodeHeaderBlock(ByteBuffer block) {
		int count = block.getShort() & 0xFFFF;
		// each field takes at least 5 bytes (two lengths and a one-byte name): refuse
		// absurd counts early
		if (count * 5L > block.remaining()) {
			throw protocolError(
					"Header block declares " + count + " fields but holds only " + block.remaining() + " bytes");
		}
		List<Header> headers = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String name = string(block, FrameType.HEADERS);
			if (name.isEmpty()) {
				throw protocolError("Empty header name");
			}
			headers.add(new Header(name, string(block, FrameType.HEADERS)));
		}
		if (block.hasRemaining()) {
			throw protocolError("Header block has " + block.remaining() + " bytes after its last field");
		}
		return headers;
	}

	private static String string(ByteBuffer block, FrameType type) {
		int length = block.getShort() & 0xFFFF;
		if (length > block.remaining()) {
			throw protocolError("Header field length " + length + " runs past the end of the block");
		}
		byte[] bytes = new byte[length];
		block.get(bytes);
		return utf8(type, bytes);
	}

	private static String utf8(FrameType type, ByteBuffer payload) {
		byte[] bytes = new byte[payload.remaining()];
		payload.get(payload.position(), bytes);
		return utf8(type, bytes);
	}

	private static String utf8(FrameType type, byte[] bytes) {
		// header names and values are nearly always ASCII: skip the decoder for them (an
		// ASCII byte is the same character in ISO-8859-1, whose String is a plain copy)
		if (isAscii(bytes)) {
			return new String(bytes, StandardCharsets.ISO_8859_1);
		}
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		try {
			CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
			return chars.toString();
		}
		catch (CharacterCodingException ex) {
			throw protocolError(type + " carries invalid UTF-8");
		}
	}

	private static boolean isAscii(byte[] bytes) {
		for (byte b : bytes) {
			if (b < 0) {
				return false;
			}
		}
		return true;
	}

	private static ProtocolException protocolError(String message) {
		return new ProtocolException(ErrorCode.PROTOCOL_ERROR, CloseCodes.PROTOCOL_ERROR, message);
	}

}
