package io.swaggersocket.sample.agent;

import java.time.Duration;
import java.time.Instant;

import io.swagger.v3.oas.annotations.tags.Tag;
import reactor.core.publisher.Flux;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A streaming endpoint: server-sent events, each sent as it happens, so that a caller on
 * the other end of the socket sees them arrive one by one rather than all at the end.
 */
@RestController
@Profile("agent")
@Tag(name = "ticks")
public class TickController {

	static final Duration INTERVAL = Duration.ofMillis(500);

	private final AgentIdentity identity;

	TickController(AgentIdentity identity) {
		this.identity = identity;
	}

	@GetMapping(path = "/api/ticks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	Flux<Tick> ticks(@RequestParam(defaultValue = "5") int count) {
		if (count < 1 || count > 100) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "count must be between 1 and 100");
		}
		return Flux.interval(Duration.ZERO, INTERVAL)
			.take(count)
			.map((n) -> new Tick(this.identity.name(), n + 1, Instant.now()));
	}

	/**
	 * One tick.
	 *
	 * @param agent the agent that sent it
	 * @param sequence 1 for the first tick of a stream, then 2, 3, ...
	 * @param time when it was sent
	 */
	public record Tick(String agent, long sequence, Instant time) {
	}

}
