/**
 * An agent: a small API of its own (a router function and two controllers, one of them
 * streaming) and two WebSocket handlers that the hub reaches over the agent's socket, and
 * calls from the agent to the hub. Every bean here is active only under the {@code agent}
 * profile.
 */
@NullMarked
package io.swaggersocket.sample.agent;

import org.jspecify.annotations.NullMarked;
