/**
 * One SwaggerSocket connection's life on either side: handshake, heartbeat, frame
 * dispatch, orderly and failed termination, the registry of live connections and the
 * lifecycle events.
 */
@NullMarked
package io.swaggersocket.connection;

import org.jspecify.annotations.NullMarked;
