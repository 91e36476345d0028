package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.EventExecutor;
import io.swaggersocket.protocol.FrameCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a {@link ChannelFrameWriter} hands the handling of the peer's requests (its
 * {@link HandOffLoops}): its connection's own event loop and the ones after it, no more
 * loops than processors.
 */
class ChannelFrameWriterHandOffTests {

	private static EventLoopGroup group;

	private static List<EventExecutor> loops;

	@BeforeAll
	static void startGroup() {
		group = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
		loops = new ArrayList<>();
		group.forEach(loops::add);
	}

	@AfterAll
	static void stopGroup() {
		group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
	}

	@Test
	void noMoreLoopsThanProcessorsStartingWithTheConnectionsOwn() {
		EventLoop own = (EventLoop) loops.get(3);
		assertThat(HandOffLoops.loops(own, 2)).containsExactly(loops.get(3), loops.get(0));
		assertThat(HandOffLoops.loops(own, 1)).containsExactly(loops.get(3));
	}

	@Test
	void everyLoopOfTheGroupWhenTheProcessorsAreAsMany() {
		EventLoop own = (EventLoop) loops.get(1);
		assertThat(HandOffLoops.loops(own, 4)).containsExactly(loops.get(1), loops.get(2), loops.get(3), loops.get(0));
		assertThat(HandOffLoops.loops(own, 64)).containsExactly(loops.get(1), loops.get(2), loops.get(3), loops.get(0));
	}

	@Test
	void theTurnPassesFromLoopToLoopAndBackToTheConnectionsOwn() {
		HandOffLoops turns = new HandOffLoops((EventLoop) loops.get(2), 2);
		assertThat(List.of(turns.next(), turns.next(), turns.next())).containsExactly(loops.get(2), loops.get(3),
				loops.get(2));
	}

	@Test
	void aLoopWithoutAGroupHandsOffToItself() {
		EmbeddedChannel channel = new EmbeddedChannel();
		try {
			assertThat(HandOffLoops.loops(channel.eventLoop(), 8)).containsExactly(channel.eventLoop());
		}
		finally {
			channel.finishAndReleaseAll();
		}
	}

	@Test
	void handOffsFromTheConnectionsLoopTakeTheLoopsInTurn() throws Exception {
		NioSocketChannel channel = new NioSocketChannel();
		group.register(channel).syncUninterruptibly();
		try {
			ChannelFrameWriter writer = new ChannelFrameWriter(channel, new FrameCodec(64 * 1024, 16 * 1024), () -> {
			}, (written) -> {
			}, false);
			Executor dispatcher = writer.dispatcher();
			// the writer counts the processors as Netty does
			EventExecutor[] expected = HandOffLoops.loops(channel.eventLoop(), NettyRuntime.availableProcessors());
			int handOffs = 8;
			Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
			List<Boolean> inExpectedLoop = new ArrayList<>();
			CountDownLatch ran = new CountDownLatch(handOffs);
			channel.eventLoop().execute(() -> {
				for (int i = 0; i < handOffs; i++) {
					EventExecutor target = expected[i % expected.length];
					dispatcher.execute(() -> {
						ranOn.add(Thread.currentThread());
						synchronized (inExpectedLoop) {
							inExpectedLoop.add(target.inEventLoop());
						}
						ran.countDown();
					});
				}
			});
			assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(inExpectedLoop).hasSize(handOffs).containsOnly(true);
			assertThat(ranOn).hasSize(expected.length);
		}
		finally {
			channel.close().syncUninterruptibly();
		}
	}

}
