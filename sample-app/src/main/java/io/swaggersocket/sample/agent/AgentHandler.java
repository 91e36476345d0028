package io.swaggersocket.sample.agent;

import java.time.Instant;

import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnections;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Handles the agent's functional routes, {@code /api/status} and {@code /api/hello-hub}.
 */
@Component
@Profile("agent")
public class AgentHandler {

	private final AgentIdentity identity;

	private final SwaggerSocketConnections connections;

	private final ItemStore items;

	private final HubGreeter greeter;

	AgentHandler(AgentIdentity identity, SwaggerSocketConnections connections, ItemStore items, HubGreeter greeter) {
		this.identity = identity;
		this.connections = connections;
		this.items = items;
		this.greeter = greeter;
	}

	Mono<ServerResponse> status(ServerRequest request) {
		// an agent has at most one connection in the client role: the one it dialed to
		// the hub
		boolean hubConnected = this.connections.list()
			.stream()
			.anyMatch((connection) -> connection.info().role() == ConnectionRole.CLIENT && connection.isOpen());
		return ServerResponse.ok()
			.bodyValue(new AgentStatus(this.identity.name(), this.identity.region(), this.identity.startedAt(),
					hubConnected, this.items.count()));
	}

	Mono<ServerResponse> helloHub(ServerRequest request) {
		return this.greeter.helloHub().flatMap((reply) -> ServerResponse.ok().bodyValue(reply));
	}

	/**
	 * The answer of {@code GET /api/status}.
	 *
	 * @param name the agent's name
	 * @param region the agent's region
	 * @param startedAt when the agent started
	 * @param hubConnected whether the agent's socket to the hub is open
	 * @param items how many items the agent holds
	 */
	public record AgentStatus(String name, String region, Instant startedAt, boolean hubConnected, int items) {
	}

}
