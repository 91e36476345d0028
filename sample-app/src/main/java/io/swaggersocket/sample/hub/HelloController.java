package io.swaggersocket.sample.hub;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketExchanges;
import org.jspecify.annotations.Nullable;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * What the agents call on the hub. An ordinary endpoint: the agents reach it over their
 * sockets, a person over plain HTTP, and the answer says which.
 */
@RestController
@Profile("hub")
public class HelloController {

	@GetMapping("/hello")
	Greeting hello(@RequestParam(defaultValue = "stranger") String from, ServerWebExchange exchange) {
		String connectionId = SwaggerSocketExchanges.connection(exchange).map(SwaggerSocketConnection::id).orElse(null);
		String via = (connectionId != null) ? "over your SwaggerSocket connection" : "over plain HTTP";
		return new Greeting("Hello " + from + ", this is the hub, answering " + via, connectionId);
	}

	/**
	 * The hub's greeting.
	 *
	 * @param message the greeting
	 * @param connectionId the connection the request arrived on, or {@code null} over
	 * plain HTTP
	 */
	public record Greeting(String message, @Nullable String connectionId) {
	}

}
