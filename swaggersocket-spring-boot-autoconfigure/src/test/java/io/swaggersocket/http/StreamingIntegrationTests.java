package io.swaggersocket.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.LargeTransfers;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Multiplexing, large bodies, streaming, cancellation and isolation between streams, over
 * one real connection between two applications.
 */
class StreamingIntegrationTests {

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext server;

	private static ConfigurableApplicationContext client;

	private static SwaggerSocketConnection serverSide;

	private static TestApplications.Connected pair;

	@BeforeAll
	static void start() {
		pair = apps.connected();
		server = pair.server();
		client = pair.client();
		serverSide = pair.serverSide();
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@BeforeEach
	void clearSignals() {
		TestEndpoints.signals.clear();
	}

	private static WebClient serverToClient() {
		return pair.serverToClient();
	}

	private static WebClient clientToServer() {
		return pair.clientToServer();
	}

	@Test
	void thousandConcurrentRequestsOnOneConnectionEachGetTheirOwnResponse() {
		List<Boolean> matches = Flux.range(0, 1000)
			.flatMap((i) -> serverToClient().get()
				.uri("/mvc/id/{id}", i)
				.retrieve()
				.bodyToMono(String.class)
				.map((body) -> body.equals(Integer.toString(i))), 1000)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(matches).hasSize(1000).containsOnly(true);
		assertThat(client.getBean(io.swaggersocket.connection.SwaggerSocketConnections.class).list()).hasSize(1);
	}

	@Test
	void largeDownloadStreamsWithBoundedHeap() {
		assertThat(LargeTransfers.download(serverToClient(), "/stream/download?size={size}", LargeTransfers.SIZE))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void largeUploadStreamsWithBoundedHeap() {
		assertThat(LargeTransfers.upload(clientToServer(), "/stream/upload"))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void serverSentEventsArriveBeforeTheLastIsProduced() {
		AtomicReference<List<String>> producedWhenFirstArrived = new AtomicReference<>();
		List<String> received = serverToClient().get()
			.uri("/stream/sse")
			.retrieve()
			.bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
			})
			.doOnNext((event) -> producedWhenFirstArrived.compareAndSet(null, List.copyOf(TestEndpoints.signals)))
			.map(ServerSentEvent::data)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(received).hasSize(10).startsWith("event-0").endsWith("event-9");
		assertThat(producedWhenFirstArrived.get()).contains("produced event-0").doesNotContain("produced event-9");
	}

	@Test
	void callerCancellationReachesTheHandlerAndTheConnectionStaysUsable() {
		List<String> ticks = clientToServer().get()
			.uri("/stream/endless")
			.retrieve()
			.bodyToFlux(String.class)
			.take(3)
			.collectList()
			.block(Duration.ofSeconds(5));
		assertThat(ticks).hasSize(3);
		await().atMost(Duration.ofSeconds(1)).until(() -> TestEndpoints.signals.contains("endless cancelled"));
		assertThat(echo(clientToServer())).isEqualTo("again");
	}

	@Test
	void timeoutCancelsTheHandlerAndTheConnectionStaysUsable() {
		assertThatThrownBy(() -> serverToClient().get()
			.uri("/stream/endless")
			.retrieve()
			.bodyToFlux(String.class)
			.timeout(Duration.ofMillis(300))
			.blockLast(Duration.ofSeconds(5))).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
		await().atMost(Duration.ofSeconds(1)).until(() -> TestEndpoints.signals.contains("endless cancelled"));
		assertThat(echo(serverToClient())).isEqualTo("again");
	}

	@Test
	void handlerFailingMidBodyFailsTheCallInsteadOfTruncatingIt() {
		List<String> lines = new CopyOnWriteArrayList<>();
		assertThatThrownBy(() -> serverToClient().get()
			.uri("/stream/fail-midway")
			.retrieve()
			.bodyToFlux(String.class)
			.doOnNext(lines::add)
			.blockLast(Duration.ofSeconds(5)))
			.satisfies((ex) -> assertThat(Causes.root(ex)).isInstanceOf(SwaggerSocketStreamResetException.class));
		assertThat(echo(serverToClient())).isEqualTo("again");
	}

	@Test
	void slowConsumerOnOneStreamDoesNotDelaySmallRequestsOnOthers() {
		AtomicLong consumed = new AtomicLong();
		// consumes one buffer, then stalls: its stream runs out of credit while its
		// producer has more
		reactor.core.Disposable stalled = serverToClient().get()
			.uri("/stream/download?size={size}", 64 * 1024 * 1024)
			.retrieve()
			.bodyToFlux(DataBuffer.class)
			.limitRate(1)
			.concatMap((buffer) -> {
				consumed.addAndGet(buffer.readableByteCount());
				// released now: a buffer held in the stalled step would never be
				DataBufferUtils.release(buffer);
				return Mono.delay(Duration.ofMinutes(10));
			}, 0)
			// what limitRate holds when the call is disposed
			.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
			.subscribe();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> consumed.get() > 0);
			for (int i = 0; i < 20; i++) {
				long started = System.nanoTime();
				assertThat(echo(serverToClient())).isEqualTo("again");
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
			}
			assertThat(consumed.get()).isLessThan(64L * 1024 * 1024);
		}
		finally {
			stalled.dispose();
		}
	}

	@Test
	void callOnAClosedConnectionFailsAtOnce() {
		SwaggerSocketConnection closed = new ClosedConnection(serverSide.info());
		assertThatThrownBy(() -> server.getBean(SwaggerSocketWebClients.class)
			.webClient(closed)
			.get()
			.uri("/fn/echo")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(1)))
			.satisfies((ex) -> assertThat(Causes.root(ex)).isInstanceOf(SwaggerSocketConnectionClosedException.class));
	}

	private static String echo(WebClient webClient) {
		return webClient.get()
			.uri("/fn/echo?q=again")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, String>>() {
			})
			.map((body) -> body.get("q"))
			.block(Duration.ofSeconds(5));
	}

	/**
	 * A connection that has closed, as a caller holding on to a stale reference sees it.
	 */
	record ClosedConnection(io.swaggersocket.connection.ConnectionInfo info) implements SwaggerSocketConnection {

		@Override
		public boolean isOpen() {
			return false;
		}

		@Override
		public Duration lastRoundTrip() {
			return null;
		}

		@Override
		public Mono<io.swaggersocket.connection.StreamMessage> exchange(List<io.swaggersocket.protocol.Header> headers,
				org.reactivestreams.Publisher<? extends DataBuffer> body) {
			return Mono.error(new IllegalStateException("must not be called"));
		}

		@Override
		public int activeStreams() {
			return 0;
		}

		@Override
		public io.swaggersocket.connection.ConnectionStatistics statistics() {
			return new io.swaggersocket.connection.ConnectionStatistics(0, 0, 0, 0, 0);
		}

		@Override
		public Mono<Void> close() {
			return Mono.empty();
		}

		@Override
		public Mono<Void> close(Duration drainTimeout) {
			return Mono.empty();
		}

	}

}
