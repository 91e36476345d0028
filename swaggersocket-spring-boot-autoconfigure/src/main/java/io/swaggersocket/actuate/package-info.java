/**
 * Operating SwaggerSocket: the Actuator endpoint, the health indicator and the Micrometer
 * meters. Each is active only when its part of Spring Boot Actuator is on the classpath.
 */
@NullMarked
package io.swaggersocket.actuate;

import org.jspecify.annotations.NullMarked;
