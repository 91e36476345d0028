package io.swaggersocket.connection;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.swaggersocket.protocol.FrameCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The socket options a {@link ChannelFrameWriter} sets on its channel, so that DATA
 * queues where the fair scheduler can put a small frame in front of it, not in the
 * kernel.
 */
class ChannelFrameWriterOptionsTests {

	@Test
	void onEpollTheKernelHoldsAtMostTheLowWaterMarkOfUnsentBytes() {
		assumeTrue(Epoll.isAvailable(), "the epoll transport runs on Linux only");
		EpollSocketChannel channel = new EpollSocketChannel();
		try {
			new ChannelFrameWriter(channel, new FrameCodec(64 * 1024, 16 * 1024), () -> {
			}, (written) -> {
			}, false);
			assertThat(channel.config().getOption(EpollChannelOption.TCP_NOTSENT_LOWAT))
				.isEqualTo(ChannelFrameWriter.NOT_SENT_LOW_WATER_MARK);
			assertThat(channel.config().getWriteBufferHighWaterMark()).isEqualTo(ChannelFrameWriter.HIGH_WATER_MARK);
		}
		finally {
			channel.unsafe().closeForcibly();
		}
	}

}
