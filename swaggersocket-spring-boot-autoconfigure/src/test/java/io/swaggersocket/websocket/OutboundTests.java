package io.swaggersocket.websocket;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

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
					DefaultDataBufferFactory.sharedInstance.wrap(new byte[] { 'x' })));
		StepVerifier.create(outbound.body().map(OutboundTests::hex))
			.then(() -> outbound.send(endless).subscribe())
			.expectNext("010000000178")
			.then(() -> outbound.close(CloseStatus.NORMAL))
			.thenConsumeWhile((record) -> record.startsWith("01"))
			.expectNext("080000000203e8")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
	}

	/** A send on one thread racing a close on another never leaves the body open. */
	@Test
	void aCloseRacingASendAlwaysEndsTheBodyWithTheCloseRecord() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			for (int i = 0; i < 2000; i++) {
				StreamWebSocketSession.Outbound outbound = new StreamWebSocketSession.Outbound();
				List<String> records = new CopyOnWriteArrayList<>();
				Mono<Void> body = outbound.body().map(OutboundTests::hex).doOnNext(records::add).then();
				CompletableFuture<Void> ended = body.toFuture();
				CyclicBarrier start = new CyclicBarrier(2);
				Future<?> sending = threads.submit(() -> {
					start.await();
					outbound
						.send(Mono.just(new WebSocketMessage(WebSocketMessage.Type.TEXT,
								DefaultDataBufferFactory.sharedInstance.wrap(new byte[] { 'x' }))))
						.onErrorComplete()
						.subscribe();
					outbound.pong(new byte[] { 'p' });
					return null;
				});
				Future<?> closing = threads.submit(() -> {
					start.await();
					outbound.close(CloseStatus.NORMAL);
					return null;
				});
				sending.get(5, TimeUnit.SECONDS);
				closing.get(5, TimeUnit.SECONDS);
				ended.get(5, TimeUnit.SECONDS);
				assertThat(records).last().isEqualTo("080000000203e8");
			}
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static String hex(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return HexFormat.of().formatHex(bytes);
	}

}
