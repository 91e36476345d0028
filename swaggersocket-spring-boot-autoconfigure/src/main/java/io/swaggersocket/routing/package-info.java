/**
 * Calls that choose their peer by metadata rather than by connection id: selectors, load
 * balancing, safe retry and waiting for a peer to connect.
 */
@NullMarked
package io.swaggersocket.routing;

import org.jspecify.annotations.NullMarked;
