package io.swaggersocket.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

/**
 * An agent's view of what reached it: every request its WebFilter chain saw (path and
 * headers), and {@code /probe/request}, which answers with the request as the agent saw
 * it.
 */
@Configuration(proxyBeanMethods = false)
public class AgentProbe {

	/** The property that adds this probe to an application. */
	public static final String SOURCE = "spring.main.sources=" + AgentProbe.class.getName();

	private final List<Seen> seen = new CopyOnWriteArrayList<>();

	/** What reached the agent. */
	public record Seen(String path, HttpHeaders headers) {
	}

	public static List<Seen> seen(ConfigurableApplicationContext agent) {
		return agent.getBean(AgentProbe.class).seen;
	}

	@Bean
	WebFilter recordsRequests() {
		return (exchange, chain) -> {
			HttpHeaders headers = new HttpHeaders();
			headers.addAll(exchange.getRequest().getHeaders());
			this.seen.add(new Seen(exchange.getRequest().getPath().value(), headers));
			return chain.filter(exchange);
		};
	}

	@Bean
	RouterFunction<ServerResponse> probeRoutes() {
		return RouterFunctions.route()
			.GET("/probe/request",
					(request) -> ServerResponse.ok()
						.bodyValue(Map.of("uri", request.uri().toString(), "headers",
								request.headers().asHttpHeaders().toSingleValueMap())))
			.build();
	}

}
