package io.swaggersocket.connection;

import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

import io.netty.buffer.ByteBuf;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Where one connection's frames go: the narrow interface between the stream layer and the
 * transport, so that the stream layer never calls back into {@link SocketConnection}.
 *
 * <p>
 * Frames go out in the order of the calls. Control frames ({@link #write}) are queued at
 * once; DATA is pulled: the writer calls its {@link DataSource} on the transport's thread
 * while the transport can take more, one frame per call, so that what waits in front of a
 * new frame is bounded by the transport's buffer rather than by the streams' windows.
 * Nothing here blocks.
 */
interface FrameWriter {

	/**
	 * The outbound bytes (queued here and buffered by the transport) beyond which a peer
	 * that does not read gets its connection closed: DATA waits for the transport, so
	 * only frames the peer keeps asking for can grow past the transport's buffer.
	 */
	int MAX_QUEUED_BYTES_OVERFLOW = 4 * 1024 * 1024;

	/**
	 * Queue a frame other than DATA.
	 * @param frame the frame
	 */
	void write(Frame frame);

	/**
	 * Write a DATA frame; only from {@link DataSource#writeNext}.
	 * @param streamId the stream id
	 * @param endStream whether the frame ends the stream
	 * @param payload the payload, now owned by the writer, which releases it once written
	 */
	void writeData(int streamId, boolean endStream, ByteBuf payload);

	/**
	 * Queue a WebSocket ping.
	 * @param payload at most 125 bytes
	 */
	void ping(byte[] payload);

	/**
	 * Queue a WebSocket pong.
	 * @param payload the ping's payload
	 */
	void pong(byte[] payload);

	/**
	 * Set what DATA is pulled from, once the stream layer exists.
	 * @param source the source
	 */
	void dataSource(DataSource source);

	/**
	 * A stream has DATA ready and credit to send it: pull once the transport can take it.
	 */
	void dataReady();

	/**
	 * An inbound message has been handled, on the transport's thread, with no lock of the
	 * stream layer held: where the transport reads many messages at once, the writer may
	 * send what their handling queued without waiting for the whole read to be handled.
	 */
	default void inboundHandled() {
	}

	/**
	 * Return where the handling of the peer's streams may run so that one connection uses
	 * more than its transport's thread.
	 * @return the transport's event loops, or {@code null} to handle streams where their
	 * frames arrive
	 */
	default @Nullable Executor dispatcher() {
		return null;
	}

	/**
	 * Run the writer for the life of the transport.
	 * @return completes or errors when the transport's outbound side ends
	 */
	Mono<Void> run();

	/**
	 * End the outbound side once what is queued is out; frames written afterwards are
	 * dropped.
	 */
	void complete();

	/**
	 * Whether everything written so far has been handed to the transport.
	 * @return whether nothing waits here
	 */
	boolean isFlushed();

	/**
	 * Return the bytes written and not yet on the wire, as far as this side can tell.
	 * @return the queued bytes
	 */
	long queuedBytes();

	/**
	 * Return a writer on the session's Netty channel where it can be reached, and on the
	 * session's own {@code send} otherwise.
	 * @param session the session
	 * @param codec encodes frames other than DATA
	 * @param overflow called (once or more) when a peer that does not read makes the
	 * queue pass {@link #MAX_QUEUED_BYTES_OVERFLOW}
	 * @param written told the size of each frame written, header included
	 * @param role which end of the WebSocket this side is: a client masks what it sends
	 * @return the writer
	 */
	static FrameWriter forSession(WebSocketSession session, FrameCodec codec, Runnable overflow, IntConsumer written,
			ConnectionRole role) {
		io.netty.channel.Channel channel = ClosingHandshake.channel(session);
		return (channel != null)
				? new ChannelFrameWriter(channel, codec, overflow, written, role == ConnectionRole.CLIENT)
				: new SessionFrameWriter(session, codec, overflow, written);
	}

	/**
	 * The streams' DATA, pulled one frame at a time.
	 */
	interface DataSource {

		/**
		 * Write the next DATA frame, if a stream has one and credit for it.
		 * @param writer where to write it
		 * @return whether a frame was written
		 */
		boolean writeNext(FrameWriter writer);

	}

}
