package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * A TCP proxy on loopback that delays each direction by a fixed time, so that two
 * processes on one machine talk as if over a long link (25 ms each way is a 50 ms round
 * trip). Every chunk read is timestamped by scheduling its write that much later on the
 * connection's event loop, which keeps chunks in order and each one delayed by the full
 * time. What it holds per direction is bounded: above {@code maxInFlight} bytes read but
 * not yet written it stops reading from that side until half has been written, which
 * makes {@code maxInFlight / delay} the link's bandwidth (it plays the part of the TCP
 * window a real long link would have).
 */
// the listeners handle every future's outcome
@SuppressWarnings("FutureReturnValueIgnored")
final class DelayProxy implements AutoCloseable {

	private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

	private final Channel server;

	private final long delayNanos;

	private final long maxInFlight;

	/**
	 * Start a proxy on an ephemeral loopback port.
	 * @param targetPort the loopback port it forwards to
	 * @param oneWayDelay the delay of each direction
	 * @param maxInFlight the most bytes held per direction
	 */
	DelayProxy(int targetPort, Duration oneWayDelay, long maxInFlight) {
		this.delayNanos = oneWayDelay.toNanos();
		this.maxInFlight = maxInFlight;
		this.server = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childOption(ChannelOption.AUTO_READ, false)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel inbound) {
					connect(inbound, targetPort);
				}
			})
			.bind("127.0.0.1", 0)
			.syncUninterruptibly()
			.channel();
	}

	/**
	 * The outbound side runs on the inbound side's event loop: one thread owns a pair.
	 */
	private void connect(SocketChannel inbound, int targetPort) {
		new Bootstrap().group(inbound.eventLoop())
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel outbound) {
					outbound.pipeline().addLast(new DelayedRelay(inbound));
				}
			})
			.connect("127.0.0.1", targetPort)
			.addListener((ChannelFutureListener) (connected) -> {
				if (!connected.isSuccess()) {
					inbound.close();
					return;
				}
				inbound.pipeline().addLast(new DelayedRelay(connected.channel()));
				inbound.config().setAutoRead(true);
				connected.channel().config().setAutoRead(true);
			});
	}

	/**
	 * Return the port to connect to.
	 * @return the proxy's port
	 */
	int port() {
		return ((java.net.InetSocketAddress) this.server.localAddress()).getPort();
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/**
	 * Reads one side and writes what it read to the other side, each chunk
	 * {@code delayNanos} after it arrived.
	 */
	private final class DelayedRelay extends ChannelInboundHandlerAdapter {

		private final Channel target;

		/** Bytes read from this side and not yet written to the target. */
		private long inFlight;

		DelayedRelay(Channel target) {
			this.target = target;
		}

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			if (!(message instanceof ByteBuf chunk)) {
				ReferenceCountUtil.release(message);
				return;
			}
			int length = chunk.readableBytes();
			this.inFlight += length;
			Channel source = context.channel();
			if (this.inFlight >= DelayProxy.this.maxInFlight) {
				source.config().setAutoRead(false);
			}
			context.executor().schedule(() -> {
				if (!this.target.isActive()) {
					chunk.release();
					return;
				}
				this.target.writeAndFlush(chunk).addListener((ChannelFutureListener) (written) -> {
					this.inFlight -= length;
					if (!written.isSuccess()) {
						source.close();
					}
					else if (!source.config().isAutoRead() && this.inFlight <= DelayProxy.this.maxInFlight / 2) {
						source.config().setAutoRead(true);
					}
				});
			}, DelayProxy.this.delayNanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void channelInactive(ChannelHandlerContext context) {
			// what was read before the close still arrives, delayed like the rest
			context.executor()
				.schedule(
						() -> this.target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE),
						DelayProxy.this.delayNanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

}
