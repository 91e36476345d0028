package io.swaggersocket.sample.hub;

import java.time.Instant;

import io.swaggersocket.sample.hub.HelloController.Greeting;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.service.annotation.DeleteExchange;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.annotation.PostExchange;

/**
 * The agents' API as the hub declares it: an HTTP interface, which
 * {@code SwaggerSocketWebClients.forSelector("name", "agent-1", AgentApi.class)} binds to
 * whichever connection the agent named agent-1 has when each call is made. Hand-written
 * next to the client OpenAPI Generator makes from the same API
 * ({@code src/main/openapi/agent-api.yaml}); either does, and the hub uses both.
 */
@HttpExchange(url = "/api", accept = MediaType.APPLICATION_JSON_VALUE)
public interface AgentApi {

	/**
	 * Ask the agent who it is.
	 * @return the agent's status
	 */
	@GetExchange("/status")
	Mono<Status> status();

	/**
	 * Ask the agent to call the hub back over its socket.
	 * @return the agent's name and what the hub said to it
	 */
	@GetExchange("/hello-hub")
	Mono<HubReply> helloHub();

	/**
	 * List the agent's items.
	 * @return the items
	 */
	@GetExchange("/items")
	Flux<Item> items();

	/**
	 * Read one item; a missing one fails with
	 * {@code WebClientResponseException.NotFound}.
	 * @param id the item's id
	 * @return the item
	 */
	@GetExchange("/items/{id}")
	Mono<Item> item(@PathVariable long id);

	/**
	 * Add an item. A POST that may have reached the agent is never sent again: if the
	 * agent's connection is lost before its answer, the call fails rather than risk a
	 * second item.
	 * @param item the item's name
	 * @return the item the agent made
	 */
	@PostExchange(url = "/items", contentType = MediaType.APPLICATION_JSON_VALUE)
	Mono<Item> addItem(@RequestBody NewItem item);

	/**
	 * Remove an item.
	 * @param id the item's id
	 * @return completes when the agent has removed it
	 */
	@DeleteExchange("/items/{id}")
	Mono<Void> removeItem(@PathVariable long id);

	/**
	 * The answer of {@code GET /api/status}.
	 *
	 * @param name the agent's name
	 * @param region the agent's region
	 * @param startedAt when the agent started
	 * @param hubConnected whether the agent's socket to the hub is open
	 * @param items how many items the agent holds
	 */
	record Status(String name, String region, Instant startedAt, boolean hubConnected, int items) {
	}

	/**
	 * The answer of {@code GET /api/hello-hub}.
	 *
	 * @param agent the agent's name
	 * @param hubSaid what this hub answered the agent
	 */
	record HubReply(String agent, Greeting hubSaid) {
	}

	/**
	 * An item an agent holds.
	 *
	 * @param id the id the agent assigned
	 * @param name the item's name
	 */
	record Item(long id, String name) {
	}

	/**
	 * What the hub sends to add an item.
	 *
	 * @param name the item's name
	 */
	record NewItem(String name) {
	}

}
