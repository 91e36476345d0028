package io.swaggersocket.connection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ClosingHandshake.OneCloseFrame} in a client's pipeline, behind the WebSocket
 * encoder: nothing goes out after the close frame, not even a DATA frame the writer
 * masked itself and wrote past the encoder.
 */
class OneCloseFrameTests {

	@Test
	void nothingGoesOutAfterTheCloseFrame() {
		EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameEncoder(true),
				new ClosingHandshake.OneCloseFrame());
		try {
			MaskedDataFrame before = MaskedDataFrame.of(ByteBufAllocator.DEFAULT, 1, false,
					Unpooled.buffer(3).writeBytes(new byte[] { 1, 2, 3 }));
			int beforeLength = before.content().readableBytes();
			client.writeOutbound(before.content());
			client.writeOutbound(new CloseWebSocketFrame(1000, "bye"));
			MaskedDataFrame after = MaskedDataFrame.of(ByteBufAllocator.DEFAULT, 1, true,
					Unpooled.buffer(3).writeBytes(new byte[] { 4, 5, 6 }));
			ByteBuf afterContent = after.content();
			client.writeOutbound(afterContent);
			client.writeOutbound(new PingWebSocketFrame());
			assertThat(afterContent.refCnt()).isZero();
			ByteBuf first = client.readOutbound();
			assertThat(first.readableBytes()).isEqualTo(beforeLength);
			first.release();
			// the close frame: FIN and opcode 8
			ByteBuf close = client.readOutbound();
			while (close.readableBytes() < 2) {
				ByteBuf more = client.readOutbound();
				close = Unpooled.wrappedBuffer(close, more);
			}
			assertThat(close.getUnsignedByte(0)).isEqualTo((short) 0x88);
			drainRemainingOf(client, close);
			assertThat((Object) client.readOutbound()).isNull();
		}
		finally {
			client.finishAndReleaseAll();
		}
	}

	/**
	 * The encoder may write a close frame as header and payload: take the payload too.
	 */
	private static void drainRemainingOf(EmbeddedChannel client, ByteBuf close) {
		int payload = close.getUnsignedByte(1) & 0x7F;
		int wanted = 2 + 4 + payload;
		while (close.readableBytes() < wanted) {
			ByteBuf more = client.readOutbound();
			assertThat(more).isNotNull();
			close = Unpooled.wrappedBuffer(close, more);
		}
		assertThat(close.readableBytes()).isEqualTo(wanted);
		close.release();
	}

}
