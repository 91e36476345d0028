package io.swaggersocket.client;

import java.util.Map;

/**
 * Adds to or changes the metadata the client sends in its handshake, after the values
 * from {@code swaggersocket.client.metadata.*}. Called before every connection attempt,
 * in bean order.
 */
@FunctionalInterface
public interface SwaggerSocketMetadataCustomizer {

	/**
	 * Customize the metadata.
	 * @param metadata the mutable metadata; values must be serializable as JSON
	 */
	void customize(Map<String, Object> metadata);

}
