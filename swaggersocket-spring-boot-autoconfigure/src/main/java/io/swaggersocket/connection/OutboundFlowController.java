package io.swaggersocket.connection;

import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.ProtocolException;

/**
 * The credit the peer grants this side (its outbound, or "remote", flow control, as
 * Netty's {@code DefaultHttp2RemoteFlowController}), and the byte distributor that
 * decides which stream sends next.
 *
 * <p>
 * Streams with DATA ready wait in a round-robin queue, as in Netty's
 * {@code UniformStreamByteDistributor}: each turn the stream at its head sends one frame
 * (at most {@link #MAX_DATA_FRAME} bytes, within its credit and the connection's) and
 * goes to its tail if it has more. The writer pulls a turn only while the transport is
 * writable, so a new stream's frames wait behind one frame of each busy stream and the
 * transport's buffer, never behind another stream's whole window. Guarded by the stream
 * layer's monitor except {@link #writeNext}, which takes it.
 */
final class OutboundFlowController implements FrameWriter.DataSource {

	/**
	 * The largest DATA frame this side sends, whatever the peer's {@code maxFrameSize}:
	 * the quantum of a turn.
	 */
	static final int MAX_DATA_FRAME = 64 * 1024;

	private final Multiplexer multiplexer;

	private final FrameWriter writer;

	private final int maxDataFrame;

	private final ArrayDeque<Stream> ready = new ArrayDeque<>();

	private long connectionCredit;

	OutboundFlowController(Multiplexer multiplexer, FrameWriter writer, ConnectionSettings peer) {
		this.multiplexer = multiplexer;
		this.writer = writer;
		this.maxDataFrame = Math.min(peer.maxFrameSize(), MAX_DATA_FRAME);
		this.connectionCredit = peer.connectionWindow();
	}

	/**
	 * A stream has a buffer or its end to send: queue it for a turn.
	 * @param stream the stream
	 */
	void ready(Stream stream) {
		OutboundBody body = stream.outbound;
		if (!body.queued && stream.state.localSideOpen() && body.hasSomethingToSend()) {
			body.queued = true;
			this.ready.add(stream);
			this.writer.dataReady();
		}
	}

	/**
	 * A stream closed: it takes no more turns.
	 * @param stream the stream
	 */
	void removed(Stream stream) {
		if (stream.outbound.queued) {
			stream.outbound.queued = false;
			this.ready.remove(stream);
		}
	}

	/**
	 * WINDOW_UPDATE on stream 0.
	 * @param increment the increment
	 */
	void connectionWindowUpdate(int increment) {
		this.connectionCredit += increment;
		if (this.connectionCredit > Integer.MAX_VALUE) {
			throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
					"Connection send window overflowed 2^31-1");
		}
		if (!this.ready.isEmpty()) {
			this.writer.dataReady();
		}
	}

	/**
	 * WINDOW_UPDATE on a stream.
	 * @param stream the stream
	 * @param increment the increment
	 */
	void streamWindowUpdate(Stream stream, int increment) {
		stream.outbound.credit += increment;
		if (stream.outbound.credit > Integer.MAX_VALUE) {
			throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
					"Send window of stream " + stream.id + " overflowed 2^31-1");
		}
		ready(stream);
	}

	@Override
	public boolean writeNext(FrameWriter writer) {
		Stream demand = null;
		StreamLocalEnd end = null;
		synchronized (this.multiplexer) {
			Stream stream;
			while ((stream = this.ready.peek()) != null) {
				OutboundBody body = stream.outbound;
				if (!body.hasBytes() && !body.completed) {
					this.ready.poll();
					body.queued = false;
					continue;
				}
				if (!body.hasBytes()) {
					// the body ended after its last buffer went out
					this.ready.poll();
					body.queued = false;
					writer.writeData(stream.id, true, Unpooled.EMPTY_BUFFER);
					end = this.multiplexer.localEnded(stream);
					break;
				}
				if (this.connectionCredit <= 0) {
					// every stream waits for WINDOW_UPDATE on stream 0
					return false;
				}
				this.ready.poll();
				if (body.credit <= 0) {
					// it waits for its own WINDOW_UPDATE
					body.queued = false;
					continue;
				}
				int length = (int) Math.min(Math.min(body.bufferedBytes(), this.maxDataFrame),
						Math.min(body.credit, this.connectionCredit));
				boolean last = body.isLast(length);
				ByteBuf payload = body.take(length);
				body.credit -= length;
				this.connectionCredit -= length;
				writer.writeData(stream.id, last, payload);
				if (last) {
					body.queued = false;
					end = this.multiplexer.localEnded(stream);
				}
				else if (body.hasBytes()) {
					// round robin: its next frame after every other stream's
					this.ready.add(stream);
				}
				else {
					body.queued = false;
				}
				demand = last ? null : stream;
				break;
			}
			if (stream == null) {
				return false;
			}
		}
		if (demand != null) {
			demand.outbound.readAhead();
		}
		if (end != null) {
			this.multiplexer.afterLocalEnd(end);
		}
		return true;
	}

}
