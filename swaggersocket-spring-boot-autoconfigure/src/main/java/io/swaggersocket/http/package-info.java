/**
 * HTTP over SwaggerSocket streams: the WebFlux server adapters that dispatch inbound
 * streams into the application's {@code HttpHandler}, and the {@code ClientHttpConnector}
 * that lets a {@code WebClient} call the peer.
 */
@NullMarked
package io.swaggersocket.http;

import org.jspecify.annotations.NullMarked;
