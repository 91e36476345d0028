package io.swaggersocket.sample.hub;

import java.util.Map;

import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.sample.agentclient.api.ItemsApi;
import io.swaggersocket.sample.agentclient.model.Item;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Service;

/**
 * The hub's service code that calls agents: find the agent's connection in the registry,
 * then call it with a {@code WebClient} bound to that connection, either written by hand
 * or generated from the agents' OpenAPI document.
 */
@Service
@Profile("hub")
public class AgentCalls {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {
	};

	private final AgentDirectory directory;

	private final SwaggerSocketWebClients webClients;

	AgentCalls(AgentDirectory directory, SwaggerSocketWebClients webClients) {
		this.directory = directory;
		this.webClients = webClients;
	}

	/**
	 * Ask an agent for its status, with a hand-written {@code WebClient} call.
	 * @param name the agent's name
	 * @return the agent's answer
	 */
	public Mono<Map<String, Object>> status(String name) {
		return this.webClients.webClient(this.directory.connection(name))
			.get()
			.uri("/api/status")
			.retrieve()
			.bodyToMono(JSON_OBJECT);
	}

	/**
	 * Ask an agent to call this hub back, and return what it got.
	 * @param name the agent's name
	 * @return the agent's answer, which holds the hub's
	 */
	public Mono<Map<String, Object>> helloHub(String name) {
		return this.webClients.webClient(this.directory.connection(name))
			.get()
			.uri("/api/hello-hub")
			.retrieve()
			.bodyToMono(JSON_OBJECT);
	}

	/**
	 * List an agent's items with the OpenAPI-generated client.
	 * @param name the agent's name
	 * @return the agent's items
	 */
	public Flux<Item> items(String name) {
		return new ItemsApi(AgentApiClients.apiClient(this.directory.connection(name))).listItems();
	}

}
