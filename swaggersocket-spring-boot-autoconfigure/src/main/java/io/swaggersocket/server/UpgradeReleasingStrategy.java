package io.swaggersocket.server;

import java.net.URI;
import java.security.Principal;
import java.util.Optional;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import org.springframework.web.reactive.socket.server.RequestUpgradeStrategy;
import org.springframework.web.server.ServerWebExchange;

/**
 * Upgrades on Reactor Netty as Spring's {@code ReactorNettyRequestUpgradeStrategy} does,
 * but lets the session keep only what a connection needs of the upgrade request for its
 * whole life: its path, subprotocol, remote address, attributes and principal. A hub
 * holds one session per agent for days, and each would otherwise keep the request's
 * headers twice (Spring's copy in the {@link HandshakeInfo} and Reactor Netty's request),
 * its cookies, and, through the principal's {@code Mono}, the whole exchange when Spring
 * Security resolves it.
 *
 * <p>
 * The principal is resolved before the upgrade, as the connection would resolve it right
 * after. Once the handler starts, the WebSocket handshake has been answered and Reactor
 * Netty's request and response headers are cleared: nothing reads them after the upgrade.
 * Spring's strategy also checkpoints what the handler returns, with a description made of
 * the request's URI: an operator and a string kept for each session's whole life, for a
 * handler that never errors.
 */
final class UpgradeReleasingStrategy implements RequestUpgradeStrategy {

	private static final MultiValueMap<String, HttpCookie> NO_COOKIES = CollectionUtils
		.unmodifiableMultiValueMap(new LinkedMultiValueMap<>(0));

	private final Supplier<WebsocketServerSpec.Builder> spec;

	/**
	 * The endpoint's URI, path only, shared by the sessions upgraded at the same path.
	 */
	private volatile @Nullable URI endpoint;

	/**
	 * Create a strategy.
	 * @param spec the upgrade's settings, without the subprotocol, which the strategy
	 * sets to the one chosen
	 */
	UpgradeReleasingStrategy(Supplier<WebsocketServerSpec.Builder> spec) {
		this.spec = spec;
	}

	@Override
	public Mono<Void> upgrade(ServerWebExchange exchange, WebSocketHandler handler, @Nullable String subProtocol,
			Supplier<HandshakeInfo> handshakeInfoFactory) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
		ServerHttpResponse response = exchange.getResponse();
		HttpServerResponse reactorResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		NettyDataBufferFactory bufferFactory = (NettyDataBufferFactory) response.bufferFactory();
		return exchange.getPrincipal().map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap((principal) -> {
			HandshakeInfo info = lean(handshakeInfoFactory.get(), principal.orElse(null));
			// WebFlux's commit actions first, then the upgrade
			return response.setComplete().then(Mono.defer(() -> {
				WebsocketServerSpec.Builder builder = this.spec.get();
				if (subProtocol != null) {
					builder.protocols(subProtocol);
				}
				WebsocketServerSpec spec = builder.build();
				return reactorResponse.sendWebsocket((in, out) -> {
					if (nativeRequest instanceof HttpServerRequest request) {
						request.requestHeaders().clear();
					}
					reactorResponse.responseHeaders().clear();
					return handler.handle(new ReactorNettyWebSocketSession(in, out, info, bufferFactory,
							spec.maxFramePayloadLength()));
				}, spec);
			}));
		});
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
