/**
 * The server role: the WebSocket endpoint on the application's own WebFlux server.
 */
@NullMarked
package io.swaggersocket.server;

import org.jspecify.annotations.NullMarked;
