/**
 * The client role: dialing the server on start-up and after every loss.
 */
@NullMarked
package io.swaggersocket.client;

import org.jspecify.annotations.NullMarked;
