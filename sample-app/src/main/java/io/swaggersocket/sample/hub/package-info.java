/**
 * The hub: it accepts the agents' sockets, lists them, calls their APIs over those
 * sockets (with an HTTP interface bound to an agent by selector, and with the
 * OpenAPI-generated client) and answers their calls. Every bean here is active only under
 * the {@code hub} profile.
 */
@NullMarked
package io.swaggersocket.sample.hub;

import org.jspecify.annotations.NullMarked;
