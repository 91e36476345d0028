package io.swaggersocket.server;

import java.net.URI;
import java.security.Principal;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;

/**
 * Upgrades as the given strategy does, but lets the session keep only what a connection
 * needs of the upgrade request for its whole life: its path, subprotocol, remote address,
 * attributes and principal. A hub holds one session per agent for days, and each would
 * otherwise keep the request's headers twice (Spring's copy in the {@link HandshakeInfo}
 * and Reactor Netty's request), its cookies, and, through the principal's {@code Mono},
 * the whole exchange when Spring Security resolves it.
 *
 * <p>
 * The principal is resolved before the upgrade, as the connection would resolve it right
 * after. Once the handler starts, the WebSocket handshake has been answered and Reactor
 * Netty's request and response headers are cleared: nothing reads them after the upgrade.
 */
final class UpgradeReleasingStrategy implements RequestUpgradeStrategy {

	private static final MultiValueMap<String, HttpCookie> NO_COOKIES = CollectionUtils
		.unmodifiableMultiValueMap(new LinkedMultiValueMap<>(0));

	private final RequestUpgradeStrategy delegate;

	/**
	 * The endpoint's URI, path only, shared by the sessions upgraded at the same path.
	 */
	private volatile @Nullable URI endpoint;

	UpgradeReleasingStrategy(RequestUpgradeStrategy delegate) {
		this.delegate = delegate;
	}

	@Override
	public Mono<Void> upgrade(ServerWebExchange exchange, WebSocketHandler handler, @Nullable String subProtocol,
			Supplier<HandshakeInfo> handshakeInfoFactory) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse());
		WebSocketHandler releasing = (session) -> {
			if (nativeRequest instanceof HttpServerRequest request) {
				request.requestHeaders().clear();
			}
			if (nativeResponse instanceof HttpServerResponse response) {
				response.responseHeaders().clear();
			}
			return handler.handle(session);
		};
		return exchange.getPrincipal()
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap((principal) -> this.delegate.upgrade(exchange, releasing, subProtocol,
					() -> lean(handshakeInfoFactory.get(), principal.orElse(null))));
	}

	private HandshakeInfo lean(HandshakeInfo info, @Nullable Principal principal) {
		return new HandshakeInfo(endpoint(info.getUri()), HttpHeaders.EMPTY, NO_COOKIES, Mono.justOrEmpty(principal),
				info.getSubProtocol(), info.getRemoteAddress(), info.getAttributes(), info.getLogPrefix());
	}

	/**
	 * The path of the request's URI: host and port say nothing the remote address does
	 * not, and a query may carry credentials.
	 */
	private URI endpoint(URI requested) {
		URI endpoint = this.endpoint;
		String path = requested.getRawPath();
		if (endpoint == null || !endpoint.getRawPath().equals(path)) {
			endpoint = URI.create(path);
			this.endpoint = endpoint;
		}
		return endpoint;
	}

}
