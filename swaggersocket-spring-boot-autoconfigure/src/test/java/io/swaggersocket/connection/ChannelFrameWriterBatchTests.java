package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a {@link ChannelFrameWriter} writes what the handling of a long read queued: every
 * {@link ChannelFrameWriter#INBOUND_BATCH} inbound messages handled, not only once the
 * whole read is through, so that the peer is not left idle while this side works.
 */
class ChannelFrameWriterBatchTests {

	private final EmbeddedChannel channel = new EmbeddedChannel();

	private final FrameCodec codec = new FrameCodec(64 * 1024, 16 * 1024);

	private final ChannelFrameWriter writer = new ChannelFrameWriter(this.channel, this.codec, () -> {
	}, (written) -> {
	}, false);

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	@Test
	void aLongReadSendsWhatItsHandlingQueuedEveryBatchOfMessages() {
		int batch = ChannelFrameWriter.INBOUND_BATCH;
		for (int i = 1; i < batch; i++) {
			handled(i);
		}
		// the read goes on, the drain task has not run: nothing is out yet
		assertThat(written()).isEmpty();
		handled(batch);
		assertThat(written()).containsExactlyElementsOf(updates(1, batch));
		handled(batch + 1);
		assertThat(written()).isEmpty();
		// the read ends: the loop runs its tasks, the drain among them
		this.channel.runPendingTasks();
		assertThat(written()).containsExactly(new Frame.WindowUpdate(0, batch + 1));
	}

	@Test
	void theBatchCountsFromTheLastDrain() {
		int batch = ChannelFrameWriter.INBOUND_BATCH;
		handled(1);
		this.channel.runPendingTasks();
		assertThat(written()).containsExactly(new Frame.WindowUpdate(0, 1));
		for (int i = 2; i <= batch; i++) {
			handled(i);
		}
		assertThat(written()).isEmpty();
		handled(batch + 1);
		assertThat(written()).containsExactlyElementsOf(updates(2, batch + 1));
	}

	@Test
	void messagesWhoseHandlingQueuesNothingWriteNothingAndTheNextFrameGoesOutAtOnce() {
		for (int i = 0; i < 3 * ChannelFrameWriter.INBOUND_BATCH; i++) {
			this.writer.inboundHandled();
		}
		this.channel.runPendingTasks();
		assertThat(written()).isEmpty();
		// the loop has handled a batch since it last wrote: what the next message queues
		// goes out at once
		handled(1);
		assertThat(written()).containsExactly(new Frame.WindowUpdate(0, 1));
	}

	/** An inbound message handled, whose handling queued one frame. */
	private void handled(int increment) {
		this.writer.write(new Frame.WindowUpdate(0, increment));
		this.writer.inboundHandled();
	}

	private List<Frame.WindowUpdate> updates(int first, int last) {
		List<Frame.WindowUpdate> updates = new ArrayList<>();
		for (int i = first; i <= last; i++) {
			updates.add(new Frame.WindowUpdate(0, i));
		}
		return updates;
	}

	/** The frames flushed to the channel since the last call, decoded. */
	private List<Frame> written() {
		List<Frame> frames = new ArrayList<>();
		WebSocketFrame message;
		while ((message = this.channel.readOutbound()) != null) {
			try {
				frames.add(this.codec.decode(message.content().nioBuffer()));
			}
			finally {
				message.release();
			}
		}
		return frames;
	}

}
