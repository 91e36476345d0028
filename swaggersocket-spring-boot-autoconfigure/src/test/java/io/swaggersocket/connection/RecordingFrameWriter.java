package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.swaggersocket.protocol.Frame;
import reactor.core.publisher.Mono;

/**
 * A {@link FrameWriter} for the flow controllers' tests: it records the WINDOW_UPDATEs
 * and pings written and drops everything else.
 */
final class RecordingFrameWriter implements FrameWriter {

	final List<Frame.WindowUpdate> updates = new ArrayList<>();

	final List<byte[]> pings = new ArrayList<>();

	/**
	 * The credit granted on a stream, or on the connection (0), so far.
	 * @param streamId the stream id, 0 for the connection
	 * @return the WINDOW_UPDATE increments added up
	 */
	long granted(int streamId) {
		return this.updates.stream()
			.filter((update) -> update.streamId() == streamId)
			.mapToLong(Frame.WindowUpdate::increment)
			.sum();
	}

	@Override
	public void write(Frame frame) {
		if (frame instanceof Frame.WindowUpdate update) {
			this.updates.add(update);
		}
	}

	@Override
	public void writeData(int streamId, boolean endStream, ByteBuf payload) {
		payload.release();
	}

	@Override
	public void ping(byte[] payload) {
		this.pings.add(payload);
	}

	@Override
	public void pong(byte[] payload) {
	}

	@Override
	public void dataSource(DataSource source) {
	}

	@Override
	public void dataReady() {
	}

	@Override
	public Mono<Void> run() {
		return Mono.never();
	}

	@Override
	public void complete() {
	}

	@Override
	public boolean isFlushed() {
		return true;
	}

	@Override
	public long queuedBytes() {
		return 0;
	}

}
