package io.swaggersocket.http;

import java.util.List;

import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.swaggersocket.connection.StreamResponder;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.websocket.WebSocketStreamRequest;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.channel.AbortedException;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;

/**
 * The response to a request that arrived on a SwaggerSocket stream, adapted to
 * {@code ServerHttpResponse}. Committing sends the HEADERS frame; the body goes out as
 * DATA frames under flow control, each buffer as soon as it is written (there is nothing
 * to flush).
 */
final class SocketServerHttpResponse extends AbstractServerHttpResponse {

	private final StreamResponder responder;

	private final boolean headRequest;

	private final @Nullable WebSocketStreamRequest webSocket;

	private volatile boolean responded;

	SocketServerHttpResponse(StreamResponder responder, boolean headRequest,
			@Nullable WebSocketStreamRequest webSocket) {
		super(DefaultDataBufferFactory.sharedInstance, new HttpHeaders());
		this.responder = responder;
		this.headRequest = headRequest;
		this.webSocket = webSocket;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T getNativeResponse() {
		return (T) this.responder;
	}

	@Override
	protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
		// deferred: the base class assembles the write before it applies status, headers
		// and cookies
		return Mono.defer(() -> {
			this.responded = true;
			if (isUpgraded()) {
				// the WebSocket session owns the stream
				return Flux.from(discard(body)).then();
			}
			if (this.webSocket != null && isSuccess()) {
				// a handler that is not a WebSocket one answered: a 2xx would tell the
				// peer its WebSocket was accepted
				return this.responder.respond(List.of(new Header(Header.STATUS, "404")), discard(body));
			}
			return this.responder.respond(wireHeaders(), this.headRequest ? discard(body) : body);
		}).onErrorMap(SocketServerHttpResponse::isPeerGone, AbortedException::new);
	}

	/**
	 * Whether a write failed because the caller went away (it reset the stream, or the
	 * connection ended). Surfaced as Reactor Netty surfaces a closed HTTP connection, so
	 * that WebFlux treats it as a disconnected client (DEBUG, observation marked aborted)
	 * rather than as a server error logged at ERROR.
	 */
	static boolean isPeerGone(@Nullable Throwable ex) {
		return ex instanceof SwaggerSocketStreamResetException || ex instanceof SwaggerSocketConnectionClosedException;
	}

	/** A response to HEAD has no body, whatever the handler wrote. */
	private static Publisher<DataBuffer> discard(Publisher<? extends DataBuffer> body) {
		return Flux.from(body).doOnNext(DataBufferUtils::release).thenMany(Flux.empty());
	}

	@Override
	protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
		return writeWithInternal(Flux.from(body).concatMap(Flux::from));
	}

	@Override
	protected void applyStatusCode() {
	}

	@Override
	protected void applyHeaders() {
	}

	/**
	 * Encoded as Reactor Netty's server encodes them, so that both transports send the
	 * same bytes.
	 */
	@Override
	protected void applyCookies() {
		for (List<ResponseCookie> cookies : getCookies().values()) {
			for (ResponseCookie responseCookie : cookies) {
				DefaultCookie cookie = new DefaultCookie(responseCookie.getName(), responseCookie.getValue());
				if (!responseCookie.getMaxAge().isNegative()) {
					cookie.setMaxAge(responseCookie.getMaxAge().toSeconds());
				}
				if (responseCookie.getDomain() != null) {
					cookie.setDomain(responseCookie.getDomain());
				}
				if (responseCookie.getPath() != null) {
					cookie.setPath(responseCookie.getPath());
				}
				cookie.setSecure(responseCookie.isSecure());
				cookie.setHttpOnly(responseCookie.isHttpOnly());
				cookie.setPartitioned(responseCookie.isPartitioned());
				if (responseCookie.getSameSite() != null) {
					cookie.setSameSite(CookieHeaderNames.SameSite.valueOf(responseCookie.getSameSite()));
				}
				getHeaders().add(HttpHeaders.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
			}
		}
	}

	/**
	 * Commit and send the response headers if the handler finished without writing a
	 * body.
	 */
	Mono<Void> completeIfUnanswered() {
		return setComplete().then(Mono.defer(() -> isResponded() ? Mono.empty() : writeWithInternal(Flux.empty())));
	}

	boolean isResponded() {
		return this.responded || isUpgraded();
	}

	private boolean isUpgraded() {
		return this.webSocket != null && this.webSocket.isUpgraded();
	}

	private boolean isSuccess() {
		HttpStatusCode status = getStatusCode();
		return status == null || status.is2xxSuccessful();
	}

	private List<Header> wireHeaders() {
		HttpStatusCode status = getStatusCode();
		int code = (status != null) ? status.value() : 200;
		return HeaderMapping.toWire(List.of(new Header(Header.STATUS, Integer.toString(code))), getHeaders());
	}

}
