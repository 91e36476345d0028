package io.swaggersocket.test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A plain Reactor Netty HTTP server on loopback, no Spring: the local service that an
 * agent's routes forward to. It answers by the end of the path, whatever comes before:
 * {@code .../echo} (method, URI and body back), {@code .../binary} (the body back),
 * {@code .../items/7} (DELETE: 204), {@code .../fail} (500), {@code .../hop} (an answer
 * with hop-by-hop fields), {@code .../forwarded} (the Host and X-Forwarded-* it saw),
 * {@code .../slow} (after 5 s), {@code .../stream} (endless), {@code .../download} and
 * {@code .../upload} ({@link LargeTransfers#SIZE} bytes), anything else 404.
 *
 * <p>
 * WebSocket upgrades, by the end of the path too, with subprotocols {@code v2.test} and
 * {@code v1.test} (the first the client offers wins): {@code .../ws/echo} (each message
 * back, text as text, binary as binary; the close status the client sent is recorded in
 * {@link #closeStatuses()}), {@code .../ws/headers} (one text message with the handshake
 * fields it saw and the chosen subprotocol), {@code .../ws/close} (closes with
 * {@code 4001 upstream done} on the first message), {@code .../ws/drop} (drops the TCP
 * connection without a close frame on the first message), {@code .../ws/big} (answers the
 * first message with one binary message of 1 MiB + 1 byte, over the starter's default
 * limit; the close status the client sent is recorded), {@code .../ws/slow} (upgrades
 * after 5 s), {@code .../ws/forbidden} (403 with a {@code WWW-Authenticate} field instead
 * of 101), {@code .../ws/plain} (200 with a body instead of 101), anything else 404.
 */
public final class PlainUpstream implements AutoCloseable {

	/**
	 * Messages of up to 1 MiB in either direction, as large as a stream's session takes.
	 */
	private static final int MAX_MESSAGE_SIZE = 1024 * 1024;

	private static final WebsocketServerSpec WITH_PROTOCOLS = WebsocketServerSpec.builder()
		.protocols("v2.test,v1.test")
		.maxFramePayloadLength(MAX_MESSAGE_SIZE)
		.build();

	private static final WebsocketServerSpec WITHOUT_PROTOCOLS = WebsocketServerSpec.builder()
		.maxFramePayloadLength(MAX_MESSAGE_SIZE)
		.build();

	private final AtomicInteger endedStreams = new AtomicInteger();

	private final BlockingQueue<WebSocketCloseStatus> closeStatuses = new LinkedBlockingQueue<>();

	private final DisposableServer server;

	public PlainUpstream() {
		this.server = HttpServer.create().host("127.0.0.1").port(0).handle(this::handle).bindNow();
	}

	public int port() {
		return this.server.port();
	}

	/** How many {@code .../stream} answers ended because their connection closed. */
	public int endedStreams() {
		return this.endedStreams.get();
	}

	/** The close statuses that clients of {@code .../ws/echo} sent, in order. */
	public BlockingQueue<WebSocketCloseStatus> closeStatuses() {
		return this.closeStatuses;
	}

	@Override
	public void close() {
		this.server.disposeNow();
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String uri = request.uri();
		String path = (uri.indexOf('?') >= 0) ? uri.substring(0, uri.indexOf('?')) : uri;
		String method = request.method().name();
		String contentType = request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE);
		if ("websocket".equalsIgnoreCase(request.requestHeaders().get(HttpHeaderNames.UPGRADE))) {
			return webSocket(path, request, response);
		}
		if (path.endsWith("/echo")) {
			return body(request).flatMap((body) -> {
				byte[] head = (method + " " + uri + "\n").getBytes(StandardCharsets.UTF_8);
				byte[] answer = new byte[head.length + body.length];
				System.arraycopy(head, 0, answer, 0, head.length);
				System.arraycopy(body, 0, answer, head.length, body.length);
				response.header("X-Upstream", "echo");
				return fixed(response, (contentType != null) ? contentType : "text/plain", answer);
			});
		}
		if (path.endsWith("/binary")) {
			return body(request).flatMap((body) -> fixed(response, "application/octet-stream", body));
		}
		if (path.endsWith("/items/7") && method.equals("DELETE")) {
			return response.status(HttpResponseStatus.NO_CONTENT).send();
		}
		if (path.endsWith("/fail")) {
			return fixed(response.status(HttpResponseStatus.INTERNAL_SERVER_ERROR), "text/plain",
					"upstream failed".getBytes(StandardCharsets.UTF_8));
		}
		if (path.endsWith("/hop")) {
			response.header("Connection", "X-Private").header("X-Private", "secret").header("X-Public", "public");
			return fixed(response, "text/plain", "hop".getBytes(StandardCharsets.UTF_8));
		}
		if (path.endsWith("/forwarded")) {
			StringBuilder seen = new StringBuilder();
			for (String name : List.of("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
					"X-Forwarded-Prefix")) {
				seen.append(name).append(": ").append(request.requestHeaders().get(name)).append('\n');
			}
			return fixed(response, "text/plain", seen.toString().getBytes(StandardCharsets.UTF_8));
		}
		if (path.endsWith("/slow")) {
			return Mono.delay(Duration.ofSeconds(5))
				.then(fixed(response, "text/plain", "late".getBytes(StandardCharsets.UTF_8)));
		}
		if (path.endsWith("/stream")) {
			response.withConnection((connection) -> connection.onDispose(this.endedStreams::incrementAndGet));
			return response.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
				.sendString(Flux.interval(Duration.ofMillis(20)).map((i) -> "tick-" + i + "\n"));
		}
		if (path.endsWith("/download")) {
			return response.header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
				.send(TestEndpoints.pattern(LargeTransfers.SIZE)
					.map((buffer) -> Unpooled.wrappedBuffer(buffer.toByteBuffer(0, buffer.readableByteCount()))));
		}
		if (path.endsWith("/upload")) {
			MessageDigest digest = TestEndpoints.sha256();
			return request.receive().doOnNext((buf) -> digest.update(buf.nioBuffer())).then(Mono.defer(() -> {
				String json = "{\"sha256\":\"" + HexFormat.of().formatHex(digest.digest()) + "\"}";
				return fixed(response, "application/json", json.getBytes(StandardCharsets.UTF_8));
			}));
		}
		return fixed(response.status(HttpResponseStatus.NOT_FOUND), "text/plain",
				"no such thing".getBytes(StandardCharsets.UTF_8));
	}

	private Publisher<Void> webSocket(String path, HttpServerRequest request, HttpServerResponse response) {
		// Reactor Netty runs no handler for a client that offered none of the server's
		// subprotocols
		WebsocketServerSpec spec = request.requestHeaders().contains(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)
				? WITH_PROTOCOLS : WITHOUT_PROTOCOLS;
		if (path.endsWith("/ws/echo")) {
			return response.sendWebsocket((in, out) -> {
				in.receiveCloseStatus().subscribe(this.closeStatuses::add);
				return out.sendObject(in.aggregateFrames(MAX_MESSAGE_SIZE)
					.receiveFrames()
					.filter((frame) -> frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
					// the inbound frame is released once handed on
					.map(WebSocketFrame::retain));
			}, spec);
		}
		if (path.endsWith("/ws/headers")) {
			StringBuilder seen = new StringBuilder();
			for (String name : List.of("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
					"X-Forwarded-Prefix", "X-Custom", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions")) {
				seen.append(name).append(": ").append(request.requestHeaders().get(name)).append('\n');
			}
			return response.sendWebsocket((in, out) -> {
				seen.append("selected: ").append(in.selectedSubprotocol()).append('\n');
				return Mono.when(in.receive().then(), out.sendString(Mono.just(seen.toString())).then());
			}, spec);
		}
		if (path.endsWith("/ws/close")) {
			return response.sendWebsocket((in, out) -> {
				Sinks.Empty<Void> first = Sinks.empty();
				// read on rather than cancel after the first: Reactor Netty closes a
				// WebSocket whose inbound is cancelled at once, without a code
				Mono<Void> reading = in.receiveFrames().doOnNext((frame) -> first.tryEmitEmpty()).then();
				return Mono.when(reading, first.asMono().then(out.sendClose(4001, "upstream done")));
			}, spec);
		}
		if (path.endsWith("/ws/big")) {
			return response.sendWebsocket((in, out) -> {
				in.receiveCloseStatus().subscribe(this.closeStatuses::add);
				Sinks.Empty<Void> first = Sinks.empty();
				Mono<Void> reading = in.receiveFrames().doOnNext((frame) -> first.tryEmitEmpty()).then();
				return Mono
					.when(reading, first.asMono()
						.then(out.sendObject(Mono.fromSupplier(
								() -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[MAX_MESSAGE_SIZE + 1]))))
							.then()));
			}, spec);
		}
		if (path.endsWith("/ws/drop")) {
			return response.sendWebsocket((in, out) -> in.receiveFrames()
				.doOnNext((frame) -> in.withConnection((connection) -> connection.channel().close()))
				.then(), spec);
		}
		if (path.endsWith("/ws/slow")) {
			// sendWebsocket answers the handshake when called, not when subscribed
			return Mono.delay(Duration.ofSeconds(5))
				.then(Mono.defer(() -> response.sendWebsocket((in, out) -> in.receive().then(), spec)));
		}
		if (path.endsWith("/ws/forbidden")) {
			return fixed(response.status(HttpResponseStatus.FORBIDDEN).header("WWW-Authenticate", "Bearer"),
					"text/plain", "no".getBytes(StandardCharsets.UTF_8));
		}
		if (path.endsWith("/ws/plain")) {
			return fixed(response, "text/plain", "not a WebSocket".getBytes(StandardCharsets.UTF_8));
		}
		return fixed(response.status(HttpResponseStatus.NOT_FOUND), "text/plain",
				"no such thing".getBytes(StandardCharsets.UTF_8));
	}

	private static Mono<byte[]> body(HttpServerRequest request) {
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]);
	}

	private static Mono<Void> fixed(HttpServerResponse response, String contentType, byte[] body) {
		ByteBuf buffer = Unpooled.wrappedBuffer(body);
		return response.header(HttpHeaderNames.CONTENT_TYPE, contentType)
			.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
			.send(Mono.just(buffer))
			.then();
	}

}
