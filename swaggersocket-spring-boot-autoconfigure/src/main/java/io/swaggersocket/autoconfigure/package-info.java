/**
 * Spring Boot auto-configuration and configuration properties for SwaggerSocket.
 */
@NullMarked
package io.swaggersocket.autoconfigure;

import org.jspecify.annotations.NullMarked;
