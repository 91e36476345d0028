/**
 * The benchmark: the same small JSON echo handler reached over HTTP/1.1, SwaggerSocket,
 * RSocket over WebSocket, raw WebSocket, HTTP/2 cleartext on one connection and no
 * transport at all, on loopback, the hub (and load generator) in this JVM and the agent
 * in another; plus large bodies, head-of-line blocking, a long link through a delaying
 * proxy, idle connections, and the echo with both ends in one JVM.
 * {@link io.swaggersocket.benchmarks.Benchmarks} is the entry point; docs/benchmarks.md
 * has a recorded run.
 */
@NullMarked
package io.swaggersocket.benchmarks;

import org.jspecify.annotations.NullMarked;
