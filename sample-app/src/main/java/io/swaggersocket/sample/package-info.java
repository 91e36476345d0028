/**
 * The sample application: a hub and agents that call each other's ReST APIs over
 * SwaggerSocket. The hub's beans live in {@code hub}, the agents' in {@code agent}; each
 * package's beans are active only under the profile of the same name.
 */
@NullMarked
package io.swaggersocket.sample;

import org.jspecify.annotations.NullMarked;
