package io.swaggersocket.sample.agent;

import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.http.SwaggerSocketWebClients;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The agent's calls to the hub: the agent greets the hub as soon as it is connected, and
 * again whenever {@code GET /api/hello-hub} asks it to. Both go over the socket the agent
 * dialed, to the hub's own {@code GET /hello}: no address of the hub is needed beyond the
 * socket's.
 */
@Component
@Profile("agent")
public class HubGreeter {

	private static final Log logger = LogFactory.getLog(HubGreeter.class);

	private final AgentIdentity identity;

	private final SwaggerSocketWebClients webClients;

	HubGreeter(AgentIdentity identity, SwaggerSocketWebClients webClients) {
		this.identity = identity;
		this.webClients = webClients;
	}

	@EventListener
	void greetOnConnect(SwaggerSocketConnectedEvent event) {
		if (event.getInfo().role() != ConnectionRole.CLIENT) {
			return;
		}
		// events are published on the connection's thread: answer later, never block it
		hello(this.webClients.webClient(event.getConnection())).subscribe(
				(greeting) -> logger.info(this.identity.name() + ": the hub says: " + greeting.message()),
				(ex) -> logger.warn(this.identity.name() + ": could not greet the hub: " + ex));
	}

	/**
	 * Greet the hub over whichever connection to it is current.
	 * @return this agent's name and what the hub answered
	 */
	Mono<HubReply> helloHub() {
		return hello(this.webClients.server()).map((greeting) -> new HubReply(this.identity.name(), greeting));
	}

	private Mono<Greeting> hello(WebClient hub) {
		return hub.get().uri("/hello?from={name}", this.identity.name()).retrieve().bodyToMono(Greeting.class);
	}

	/**
	 * What the hub answers to {@code GET /hello}, as this agent reads it.
	 *
	 * @param message the greeting
	 * @param connectionId the connection the hub saw the request arrive on
	 */
	public record Greeting(String message, @Nullable String connectionId) {
	}

	/**
	 * The answer of {@code GET /api/hello-hub}.
	 *
	 * @param agent this agent's name
	 * @param hubSaid what the hub answered
	 */
	public record HubReply(String agent, Greeting hubSaid) {
	}

}
