package io.swaggersocket.http;

import java.util.List;

import io.netty.channel.ChannelOption;
import io.swaggersocket.connection.ConnectionRole;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.http.server.PathContainer;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Maps requests that arrived over a connection this application dialed (an agent's
 * connection to its hub) and match a {@link SwaggerSocketRoute} to a handler that
 * forwards them to the route's upstream service.
 *
 * <p>
 * Only such requests: the same path on the application's own HTTP port, or over a
 * connection it accepted, is left to the application's handlers, so that routes never
 * make the application an open proxy. Being a handler mapping in the application's
 * WebFlux chain, a route request passes the application's {@code WebFilter}s (Spring
 * Security among them) with the connection's principal, like any other request from the
 * socket, and the {@code swaggersocket.expose} rules, which the dispatcher applies first.
 * That holds for WebSockets opened over the connection too: they are dispatched as
 * upgrade requests, and a route forwards them to its upstream as WebSockets.
 */
public final class SwaggerSocketRouteHandlerMapping extends AbstractHandlerMapping {

	private final ConnectionProvider connectionProvider;

	private final List<SwaggerSocketRoute> routes;

	private final List<Mapping> mappings;

	/**
	 * Create a mapping.
	 * @param routes the routes, the first match wins
	 * @param loopResources the event loops to call upstreams on, or {@code null} for
	 * Reactor Netty's global ones
	 * @param maxMessageSize the largest WebSocket message an upstream may send through a
	 * route, as large as a session over a stream takes
	 * @param order the order of the mapping, before the application's own handlers
	 */
	public SwaggerSocketRouteHandlerMapping(List<SwaggerSocketRoute> routes, @Nullable LoopResources loopResources,
			int maxMessageSize, int order) {
		this.routes = List.copyOf(routes);
		this.connectionProvider = ConnectionProvider.create("swaggersocket-routes");
		HttpClient base = HttpClient.create(this.connectionProvider);
		HttpClient client = (loopResources != null) ? base.runOn(loopResources) : base;
		this.mappings = routes.stream().map((route) -> {
			PathPattern pattern = PathPatternParser.defaultInstance.parse(route.path());
			HttpClient routeClient = client.option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
					(int) Math.min(Integer.MAX_VALUE, route.connectTimeout().toMillis()));
			return new Mapping(pattern,
					new UpstreamForwarding(route, literalSegments(route.path()), routeClient, maxMessageSize));
		}).toList();
		setOrder(order);
	}

	@Override
	protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
		boolean dialed = SwaggerSocketExchanges.connection(exchange)
			.map((connection) -> connection.info().role() == ConnectionRole.CLIENT)
			.orElse(false);
		if (!dialed) {
			return Mono.empty();
		}
		PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
		for (Mapping mapping : this.mappings) {
			if (mapping.pattern().matches(path)) {
				return Mono.just(mapping.handler());
			}
		}
		return Mono.empty();
	}

	/**
	 * Return the routes, in the order they are matched.
	 * @return the routes
	 */
	public List<SwaggerSocketRoute> getRoutes() {
		return this.routes;
	}

	/**
	 * Close the pooled connections to the upstreams.
	 */
	public void dispose() {
		this.connectionProvider.dispose();
	}

	/**
	 * The number of leading segments of a pattern that have no wildcard or variable: what
	 * {@code strip-prefix} removes.
	 */
	static int literalSegments(String pattern) {
		int count = 0;
		for (String segment : pattern.split("/")) {
			if (segment.isEmpty()) {
				continue;
			}
			if (segment.contains("*") || segment.contains("?") || segment.contains("{")) {
				break;
			}
			count++;
		}
		return count;
	}

	private record Mapping(PathPattern pattern, UpstreamForwarding handler) {
	}

}
