/**
 * The benchmark: the same small JSON echo handler reached over HTTP/1.1, SwaggerSocket
 * (both directions), RSocket over WebSocket and raw WebSocket, on loopback in one JVM,
 * plus large bodies, head-of-line blocking and idle connections.
 * {@link io.swaggersocket.benchmarks.Benchmarks} is the entry point; docs/benchmarks.md
 * has a recorded run.
 */
@NullMarked
package io.swaggersocket.benchmarks;

import org.jspecify.annotations.NullMarked;
