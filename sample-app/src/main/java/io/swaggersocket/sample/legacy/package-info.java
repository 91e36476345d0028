/**
 * A legacy service next to an agent: a plain Reactor Netty HTTP server, no Spring, that
 * the agent reaches through a route ({@code swaggersocket.client.routes}) and the hub
 * reaches through the agent.
 */
@NullMarked
package io.swaggersocket.sample.legacy;

import org.jspecify.annotations.NullMarked;
