/**
 * HTTP over SwaggerSocket streams: the WebFlux server adapters that dispatch inbound
 * streams into the application's {@code HttpHandler}, the {@code ClientHttpConnector}
 * that lets a {@code WebClient} call the peer, the HTTP gateway to peers, and the cluster
 * endpoint through which other hubs reach this hub's peers.
 */
@NullMarked
package io.swaggersocket.http;

import org.jspecify.annotations.NullMarked;
