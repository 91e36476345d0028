package io.swaggersocket.connection;

import reactor.core.publisher.Mono;

/**
 * Serves the streams a peer opens on a connection. The HTTP layer implements it by
 * dispatching into the application's WebFlux {@code HttpHandler}.
 */
@FunctionalInterface
public interface SwaggerSocketStreamHandler {

	/**
	 * Handle one stream. Cancelling the returned {@code Mono}'s subscription is how the
	 * peer's cancellation reaches the handler.
	 * @param connection the connection the stream arrived on
	 * @param request the request headers and body
	 * @param responder sends the response
	 * @return completes when the handling is done
	 */
	Mono<Void> handle(SwaggerSocketConnection connection, StreamMessage request, StreamResponder responder);

}
