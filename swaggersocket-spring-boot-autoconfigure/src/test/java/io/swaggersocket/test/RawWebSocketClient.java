package io.swaggersocket.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;

import static org.awaitility.Awaitility.await;

/**
 * A WebSocket client independent of the code under test (the JDK's), to send a server
 * exactly the bytes a misbehaving peer would.
 */
public final class RawWebSocketClient implements AutoCloseable {

	private static final FrameCodec CODEC = new FrameCodec(64 * 1024, 16 * 1024);

	private final WebSocket webSocket;

	private final List<Frame> received = new CopyOnWriteArrayList<>();

	private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

	private RawWebSocketClient(URI uri, String... subprotocols) {
		WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
		if (subprotocols.length > 0) {
			builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
		}
		this.webSocket = builder.buildAsync(uri, new Listener()).join();
	}

	public static RawWebSocketClient connect(URI uri, String... subprotocols) {
		return new RawWebSocketClient(uri, subprotocols);
	}

	public RawWebSocketClient send(Frame frame) {
		return sendBytes(CODEC.encode(frame));
	}

	public RawWebSocketClient sendBytes(ByteBuffer bytes) {
		this.webSocket.sendBinary(bytes, true).join();
		return this;
	}

	public RawWebSocketClient sendText(String text) {
		this.webSocket.sendText(text, true).join();
		return this;
	}

	/** Send a close frame (the transport stays open until the server closes it). */
	public RawWebSocketClient sendClose(int code, String reason) {
		this.webSocket.sendClose(code, reason).join();
		return this;
	}

	public String subprotocol() {
		return this.webSocket.getSubprotocol();
	}

	/** Wait until the server has sent {@code count} frames and return them. */
	public List<Frame> awaitFrames(int count) {
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() >= count);
		return List.copyOf(this.received);
	}

	/** Wait until the server has sent a frame that matches and return it. */
	public Frame awaitFrame(java.util.function.Predicate<Frame> match) {
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.stream().anyMatch(match));
		return this.received.stream().filter(match).findFirst().orElseThrow();
	}

	/** Wait for the server's close frame and return its code. */
	public int awaitCloseCode(Duration timeout) throws Exception {
		return this.closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.webSocket.abort();
	}

	private final class Listener implements WebSocket.Listener {

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			RawWebSocketClient.this.received.add(CODEC.decode(data));
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			RawWebSocketClient.this.closeCode.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			RawWebSocketClient.this.closeCode.completeExceptionally(error);
		}

	}

}
