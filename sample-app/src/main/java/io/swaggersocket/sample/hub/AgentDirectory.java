package io.swaggersocket.sample.hub;

import java.util.Comparator;
import java.util.List;

import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * Finds agents by the name they sent in their handshake metadata, in the registry of live
 * connections.
 */
@Component
@Profile("hub")
public class AgentDirectory {

	private final SwaggerSocketConnections connections;

	AgentDirectory(SwaggerSocketConnections connections) {
		this.connections = connections;
	}

	/**
	 * Return the connected agents.
	 * @return the agents, by name
	 */
	public List<AgentSummary> list() {
		return this.connections.list()
			.stream()
			.filter((connection) -> connection.info().role() == ConnectionRole.SERVER)
			.map((connection) -> AgentSummary.of(connection.info()))
			.sorted(Comparator.comparing(AgentSummary::name).thenComparing(AgentSummary::connectedAt))
			.toList();
	}

	/**
	 * Return the connection of the agent with the given name.
	 * @param name the agent's name
	 * @return its connection; the newest if the agent reconnected and its old connection
	 * has not been noticed gone yet
	 * @throws ResponseStatusException with 404 if no agent of that name is connected
	 */
	public SwaggerSocketConnection connection(String name) {
		return this.connections.findByMetadata("name", name)
			.stream()
			.filter(SwaggerSocketConnection::isOpen)
			.max(Comparator.comparing((SwaggerSocketConnection connection) -> connection.info().connectedAt()))
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
					"No agent named " + name + " is connected"));
	}

}
