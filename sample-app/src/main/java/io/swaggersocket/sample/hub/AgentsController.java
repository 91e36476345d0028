package io.swaggersocket.sample.hub;

import java.util.List;

import io.swaggersocket.sample.agentclient.model.Item;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClientException;

/**
 * The hub's view of its agents, and calls to them over their sockets. An agent is
 * addressed by the name it sent in its handshake metadata.
 */
@RestController
@Profile("hub")
@RequestMapping("/agents")
public class AgentsController {

	private final AgentDirectory directory;

	private final AgentCalls calls;

	AgentsController(AgentDirectory directory, AgentCalls calls) {
		this.directory = directory;
		this.calls = calls;
	}

	@GetMapping
	List<AgentSummary> agents() {
		return this.directory.list();
	}

	@GetMapping("/{name}")
	AgentSummary agent(@PathVariable String name) {
		return AgentSummary.of(this.directory.connection(name).info());
	}

	/**
	 * The bare connection id, for shell scripts:
	 * {@code ID=$(curl -s .../agents/agent-1/id)}.
	 */
	@GetMapping(path = "/{name}/id", produces = MediaType.TEXT_PLAIN_VALUE)
	String id(@PathVariable String name) {
		return this.directory.connection(name).id();
	}

	@GetMapping("/{name}/status")
	Mono<AgentApi.Status> status(@PathVariable String name) {
		return this.calls.status(name);
	}

	@GetMapping("/{name}/items")
	Flux<Item> items(@PathVariable String name) {
		return this.calls.items(name);
	}

	@GetMapping("/{name}/hello-hub")
	Mono<AgentApi.HubReply> helloHub(@PathVariable String name) {
		return this.calls.helloHub(name);
	}

	// the agent answered with an error, or its connection ended during the call
	@ExceptionHandler(WebClientException.class)
	ProblemDetail agentCallFailed(WebClientException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, ex.getMessage());
		problem.setTitle("Call to the agent failed");
		return problem;
	}

}
