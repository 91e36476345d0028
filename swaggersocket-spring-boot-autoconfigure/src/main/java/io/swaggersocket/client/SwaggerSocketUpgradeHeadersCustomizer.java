package io.swaggersocket.client;

import org.springframework.http.HttpHeaders;

/**
 * Adds headers to the client's WebSocket upgrade request, after the static ones from
 * {@code swaggersocket.client.headers.*}. Called before every connection attempt, so it
 * can supply a fresh credential each time. Called in bean order; must not block.
 */
@FunctionalInterface
public interface SwaggerSocketUpgradeHeadersCustomizer {

	/**
	 * Customize the upgrade headers.
	 * @param headers the mutable headers
	 */
	void customize(HttpHeaders headers);

}
