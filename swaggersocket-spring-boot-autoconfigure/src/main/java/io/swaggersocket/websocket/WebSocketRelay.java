package io.swaggersocket.websocket;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;

/**
 * Relays a WebSocket between two sessions, for example an outside client's and a peer's
 * over a SwaggerSocket stream.
 *
 * <p>
 * Messages go both ways as they come, each direction pulled by the receiving side's
 * writes, so a slow reader on one side slows the sender on the other and nothing is
 * buffered beyond the sessions' own small prefetch. Payloads are handed over, not copied,
 * and released exactly once: by the receiving session once written, or here if a
 * direction ends with messages not yet written.
 *
 * <p>
 * A close received on one side closes the other with the same code and reason, except the
 * codes that must not be sent in a close frame: 1006 (the connection was lost) becomes
 * 1011, 1005 (no code) becomes 1000, 1015 becomes 1011. A failure receiving on one side
 * closes both with 1011.
 */
public final class WebSocketRelay {

	private WebSocketRelay() {
	}

	/**
	 * Relay messages between two open sessions until both directions have ended.
	 * Cancelling the returned {@code Mono} closes both sessions with 1001 (going away).
	 * @param a one session
	 * @param b the other session
	 * @return completes when both sessions are closed
	 */
	public static Mono<Void> relay(WebSocketSession a, WebSocketSession b) {
		return Mono.when(forward(a, b), forward(b, a))
			.doOnCancel(() -> Flux.merge(a.close(CloseStatus.GOING_AWAY), b.close(CloseStatus.GOING_AWAY))
				.onErrorComplete()
				.subscribe());
	}

	/**
	 * Relay what {@code from} receives into {@code to}, then close {@code to} as
	 * {@code from} was closed.
	 */
	private static Mono<Void> forward(WebSocketSession from, WebSocketSession to) {
		Flux<WebSocketMessage> messages = from.receive()
			// Reactor Netty releases a received frame once onNext returns; the message
			// outlives that until the other side has written it
			.map((message) -> new WebSocketMessage(message.getType(), message.retain().getPayload()))
			.doOnDiscard(WebSocketMessage.class, (message) -> DataBufferUtils.release(message.getPayload()));
		return to
			.send(Flux.<WebSocketMessage>from(
					(subscriber) -> messages.subscribe(new ReadOnAfterCancel(Operators.toCoreSubscriber(subscriber)))))
			.then(Mono.defer(() -> from.closeStatus().defaultIfEmpty(CloseStatus.NO_CLOSE_FRAME)))
			.flatMap((status) -> to.close(sendable(status)))
			.onErrorResume((ex) -> {
				if (!to.isOpen()) {
					// its own side closed it; the other direction carries that close on
					return Mono.empty();
				}
				return Mono.when(to.close(CloseStatus.SERVER_ERROR), from.close(CloseStatus.SERVER_ERROR))
					.onErrorComplete();
			});
	}

	/**
	 * Keeps reading a session after the side it is relayed to has gone (its send ended
	 * and cancelled this), releasing what still comes, until the session ends. Reactor
	 * Netty closes a WebSocket whose inbound is cancelled at once, with an empty close
	 * frame, which would beat the close code that the other direction is about to pass
	 * on; that direction closes this session soon after.
	 */
	private static final class ReadOnAfterCancel implements CoreSubscriber<WebSocketMessage>, Subscription {

		private final CoreSubscriber<? super WebSocketMessage> actual;

		private @Nullable Subscription upstream;

		private volatile boolean cancelled;

		ReadOnAfterCancel(CoreSubscriber<? super WebSocketMessage> actual) {
			this.actual = actual;
		}

		@Override
		public Context currentContext() {
			return this.actual.currentContext();
		}

		@Override
		public void onSubscribe(Subscription subscription) {
			this.upstream = subscription;
			this.actual.onSubscribe(this);
		}

		@Override
		public void onNext(WebSocketMessage message) {
			if (this.cancelled) {
				DataBufferUtils.release(message.getPayload());
				return;
			}
			this.actual.onNext(message);
		}

		@Override
		public void onError(Throwable ex) {
			if (!this.cancelled) {
				this.actual.onError(ex);
			}
		}

		@Override
		public void onComplete() {
			if (!this.cancelled) {
				this.actual.onComplete();
			}
		}

		@Override
		public void request(long n) {
			Subscription subscription = this.upstream;
			if (!this.cancelled && subscription != null) {
				subscription.request(n);
			}
		}

		@Override
		public void cancel() {
			Subscription subscription = this.upstream;
			if (!this.cancelled && subscription != null) {
				this.cancelled = true;
				subscription.request(Long.MAX_VALUE);
			}
		}

	}

	/**
	 * The status to send on for one received: codes that only report a local condition
	 * cannot go into a close frame.
	 * @param status the status received
	 * @return the status to close the other side with
	 */
	static CloseStatus sendable(CloseStatus status) {
		return switch (status.getCode()) {
			case 1005 -> CloseStatus.NORMAL;
			case 1006, 1015 -> new CloseStatus(CloseStatus.SERVER_ERROR.getCode(), status.getReason());
			default -> status;
		};
	}

}
