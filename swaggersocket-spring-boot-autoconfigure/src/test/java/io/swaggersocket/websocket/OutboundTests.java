package io.swaggersocket.websocket;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;

/**
 * This side's half of a WebSocket over a stream: the records it sends, and how they end.
 */
class OutboundTests {

	@Test
	void aCloseWithNothingBeingSentSendsTheCloseRecordAndEnds() {
		StreamWebSocketSession.Outbound outbound = new StreamWebSocketSession.Outbound();
		StepVerifier.create(outbound.body().map(OutboundTests::hex))
			.then(() -> outbound.close(new CloseStatus(1001, null)))
			.expectNext("080000000203e9")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	@Test
	void aCloseCutsAnEndlessSendAndEndsWithTheCloseRecord() {
		StreamWebSocketSession.Outbound outbound = new StreamWebSocketSession.Outbound();
		Flux<WebSocketMessage> endless = Flux.interval(Duration.ofMillis(5))
			.map((n) -> new WebSocketMessage(WebSocketMessage.Type.TEXT,
					org.springframework.core.io.buffer.DefaultDataBufferFactory.sharedInstance
						.wrap(new byte[] { 'x' })));
		StepVerifier.create(outbound.body().map(OutboundTests::hex))
			.then(() -> outbound.send(endless).subscribe())
			.expectNext("010000000178")
			.then(() -> outbound.close(CloseStatus.NORMAL))
			.thenConsumeWhile((record) -> record.startsWith("01"))
			.expectNext("080000000203e8")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	private static String hex(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return java.util.HexFormat.of().formatHex(bytes);
	}

}
