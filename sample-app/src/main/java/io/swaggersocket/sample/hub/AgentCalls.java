package io.swaggersocket.sample.hub;

import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.sample.agentclient.api.ItemsApi;
import io.swaggersocket.sample.agentclient.model.Item;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * The hub's service code that calls agents, two ways: an HTTP interface
 * ({@link AgentApi}) bound to the selector {@code name=<agent>}, so that each call goes
 * to whichever connection that agent has at the time; and the client generated from the
 * agents' OpenAPI document, bound to the connection found in the registry.
 */
@Service
@Profile("hub")
public class AgentCalls {

	private final AgentDirectory directory;

	private final SwaggerSocketWebClients webClients;

	AgentCalls(AgentDirectory directory, SwaggerSocketWebClients webClients) {
		this.directory = directory;
		this.webClients = webClients;
	}

	/**
	 * Return the agents' API bound to the agent with the given name, wherever it is
	 * connected when each call is made.
	 * @param name the agent's name, as in its handshake metadata
	 * @return a client of the agent's API
	 */
	public AgentApi agent(String name) {
		// made per call, as the name comes with each request: one agent has one name, so
		// there is no turn among several agents to keep; a client that calls one selector
		// often makes it once
		return this.webClients.forSelector("name", name, AgentApi.class);
	}

	/**
	 * Ask an agent for its status.
	 * @param name the agent's name
	 * @return the agent's answer
	 */
	public Mono<AgentApi.Status> status(String name) {
		return agent(name).status().onErrorMap(AgentCalls::noMatch, (ex) -> notConnected(name));
	}

	/**
	 * Ask an agent to call this hub back, and return what it got.
	 * @param name the agent's name
	 * @return the agent's answer, which holds the hub's
	 */
	public Mono<AgentApi.HubReply> helloHub(String name) {
		return agent(name).helloHub().onErrorMap(AgentCalls::noMatch, (ex) -> notConnected(name));
	}

	/**
	 * List an agent's items with the OpenAPI-generated client.
	 * @param name the agent's name
	 * @return the agent's items
	 */
	public Flux<Item> items(String name) {
		return new ItemsApi(AgentApiClients.apiClient(this.directory.connection(name))).listItems();
	}

	/** No agent of that name is connected: the call reached none. */
	private static boolean noMatch(Throwable ex) {
		return ex.getCause() instanceof SwaggerSocketNoMatchingPeerException;
	}

	private static ResponseStatusException notConnected(String name) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No agent named " + name + " is connected");
	}

}
