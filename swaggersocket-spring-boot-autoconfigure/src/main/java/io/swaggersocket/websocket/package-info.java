/**
 * WebSockets over SwaggerSocket streams: a peer opens a WebSocket to the other side's
 * WebFlux {@code WebSocketHandler}s over the existing connection, and the gateway and the
 * upstream routes relay WebSockets between the socket and the outside.
 */
@NullMarked
package io.swaggersocket.websocket;

import org.jspecify.annotations.NullMarked;
