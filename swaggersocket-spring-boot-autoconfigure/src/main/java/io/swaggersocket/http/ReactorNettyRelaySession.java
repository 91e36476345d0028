package io.swaggersocket.http;

import java.util.Map;
import java.util.function.Function;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * A Reactor Netty WebSocket session (the gateway's outside client, a route's upstream) as
 * the relay needs it:
 * <ul>
 * <li>the other end's own violations end the socket with their close code (1009 for a
 * message over the limit, in one frame or in fragments; Netty's code for a malformed
 * frame), which the relay passes on, rather than as a failure the relay would turn into
 * 1011;</li>
 * <li>the session is closed only while its connection is open: Reactor Netty (1.3.8)
 * never releases the close frame it allocates for a connection that is gone already.</li>
 * </ul>
 */
final class ReactorNettyRelaySession implements WebSocketSession {

	private static final CloseStatus MESSAGE_TOO_BIG = new CloseStatus(CloseStatus.TOO_BIG_TO_PROCESS.getCode(),
			"Message too big");

	private final WebSocketSession delegate;

	ReactorNettyRelaySession(WebSocketSession delegate) {
		this.delegate = delegate;
	}

	@Override
	public Flux<WebSocketMessage> receive() {
		// a frame over the limit or malformed is closed by Netty's decoder already; a
		// message in fragments over the limit fails the session's aggregation
		return this.delegate.receive()
			.onErrorResume(CorruptedWebSocketFrameException.class,
					(ex) -> closed(new CloseStatus(ex.closeStatus().code(), ex.closeStatus().reasonText())))
			.onErrorResume(TooLongFrameException.class, (ex) -> closed(MESSAGE_TOO_BIG));
	}

	/**
	 * Close with the violation's code even if Netty's decoder began the close: the
	 * session then reports that code, which the relay passes on.
	 */
	private Mono<WebSocketMessage> closed(CloseStatus status) {
		return this.delegate.close(status).onErrorComplete().then(Mono.empty());
	}

	@Override
	public Mono<Void> close(CloseStatus status) {
		return Mono.defer(() -> this.delegate.isOpen() ? this.delegate.close(status) : Mono.empty());
	}

	@Override
	public String getId() {
		return this.delegate.getId();
	}

	@Override
	public HandshakeInfo getHandshakeInfo() {
		return this.delegate.getHandshakeInfo();
	}

	@Override
	public DataBufferFactory bufferFactory() {
		return this.delegate.bufferFactory();
	}

	@Override
	public Map<String, Object> getAttributes() {
		return this.delegate.getAttributes();
	}

	@Override
	public Mono<Void> send(Publisher<WebSocketMessage> messages) {
		return this.delegate.send(messages);
	}

	@Override
	public boolean isOpen() {
		return this.delegate.isOpen();
	}

	@Override
	public Mono<CloseStatus> closeStatus() {
		return this.delegate.closeStatus();
	}

	@Override
	public WebSocketMessage textMessage(String payload) {
		return this.delegate.textMessage(payload);
	}

	@Override
	public WebSocketMessage binaryMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
		return this.delegate.binaryMessage(payloadFactory);
	}

	@Override
	public WebSocketMessage pingMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
		return this.delegate.pingMessage(payloadFactory);
	}

	@Override
	public WebSocketMessage pongMessage(Function<DataBufferFactory, DataBuffer> payloadFactory) {
		return this.delegate.pongMessage(payloadFactory);
	}

}
