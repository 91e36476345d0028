package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ceiling: a bare Reactor Netty WebSocket server and client, no Spring, no protocol.
 * The echo route sends every binary frame back unchanged (the same JSON bytes the other
 * transports send, but nobody parses them); responses come back in order on the one
 * connection, which is how they are matched to requests. Large bodies go as 64 KiB binary
 * frames, one connection per transfer.
 */
final class RawWebSocket {

	private static final int MAX_FRAME = Chunks.SIZE;

	private static final String SIZE_HEADER = "X-Size";

	private RawWebSocket() {
	}

	/**
	 * Start the server on an ephemeral loopback port.
	 * @return the running server
	 */
	static DisposableServer startServer() {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes
				.ws("/echo",
						(in, out) -> out.sendObject(in.receiveFrames()
							.filter(BinaryWebSocketFrame.class::isInstance)
							.map((frame) -> new BinaryWebSocketFrame(frame.content().retain()))))
				.ws("/download", (in, out) -> out.sendObject(frames(Long.parseLong(in.headers().get(SIZE_HEADER)))))
				.ws("/upload",
						(in, out) -> out.sendString(in.receiveFrames()
							.takeUntil(TextWebSocketFrame.class::isInstance)
							.reduce(0L,
									(total, frame) -> (frame instanceof BinaryWebSocketFrame)
											? total + frame.content().readableBytes() : total)
							.map(String::valueOf))))
			.bindNow(Duration.ofSeconds(10));
	}

	private static Flux<WebSocketFrame> frames(long size) {
		return Flux.generate(() -> 0L, (offset, sink) -> {
			if (offset >= size) {
				sink.complete();
				return offset;
			}
			int length = (int) Math.min(Chunks.SIZE, size - offset);
			sink.next(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Chunks.view(length))));
			return offset + length;
		});
	}

	private static HttpClient.WebsocketSender client() {
		return client(HttpClient.create(ConnectionProvider.newConnection()));
	}

	private static HttpClient.WebsocketSender client(HttpClient client) {
		return client.websocket(WebsocketClientSpec.builder().maxFramePayloadLength(MAX_FRAME).build());
	}

	/**
	 * The client side: one connection for the echo, one per large transfer.
	 */
	static final class Client implements Transport, BulkTransport {

		private final String name;

		private final String baseUrl;

		private final byte[] request;

		private final ArrayDeque<MonoSink<Long>> waiting = new ArrayDeque<>();

		private final Sinks.Many<byte[]> outbound = Sinks.many().unicast().onBackpressureBuffer();

		private long sequence;

		Client(int port) {
			this(Report.RAW, port);
		}

		Client(String name, int port) {
			this.name = name;
			this.baseUrl = "ws://127.0.0.1:" + port;
			this.request = JsonMapper.builder().build().writeValueAsBytes(EchoMessage.of(0));
		}

		/**
		 * Open the echo connection.
		 * @return completes once it is open
		 */
		Mono<Void> connect() {
			Sinks.Empty<Void> open = Sinks.empty();
			client().uri(this.baseUrl + "/echo").handle((in, out) -> {
				open.tryEmitEmpty();
				Mono<Void> read = in.receive().doOnNext(this::answered).then();
				Mono<Void> write = out
					.sendObject(this.outbound.asFlux()
						.map((bytes) -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes))))
					.then();
				return Mono.when(read, write);
			}).subscribe(null, (ex) -> open.tryEmitError(ex));
			return open.asMono();
		}

		private void answered(ByteBuf payload) {
			MonoSink<Long> sink;
			long answer;
			synchronized (this) {
				sink = this.waiting.poll();
				answer = ++this.sequence;
			}
			if (sink != null) {
				sink.success(answer);
			}
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public Mono<Long> echo(long sequence) {
			return Mono.create((sink) -> {
				synchronized (this) {
					this.waiting.add(sink);
					this.outbound.tryEmitNext(this.request);
				}
			});
		}

		@Override
		public Mono<Long> download(long size) {
			return client(HttpClient.create(ConnectionProvider.newConnection())
				.headers((headers) -> headers.set(SIZE_HEADER, size)))
				.uri(this.baseUrl + "/download")
				.handle((in,
						out) -> in.receive().map(ByteBuf::readableBytes).reduce(0L, (total, length) -> total + length))
				.next();
		}

		@Override
		public Mono<Long> upload(long size) {
			return client().uri(this.baseUrl + "/upload")
				.handle((in, out) -> in.receive()
					.asString()
					.next()
					.map(Long::parseLong)
					.zipWith(out
						.sendObject(frames(size).concatWith(Mono.fromSupplier(() -> new TextWebSocketFrame("end"))))
						.then()
						.thenReturn(true), (count, sent) -> count))
				.next();
		}

	}

}
