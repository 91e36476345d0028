/**
 * The SwaggerSocket wire protocol, version 1: frame types, the binary codec, error codes
 * and WebSocket close codes. Free of Spring so that it can be read, tested and ported
 * alone; the normative description is {@code docs/PROTOCOL.md}.
 */
@NullMarked
package io.swaggersocket.protocol;

import org.jspecify.annotations.NullMarked;
