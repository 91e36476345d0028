package io.swaggersocket.sample.agent;

import java.time.Instant;
import java.util.Map;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The agent's identity, its functional routes and its WebSocket handlers. Springdoc
 * cannot see inside a router function, so the routes' OpenAPI operations are declared
 * next to it.
 */
@Configuration(proxyBeanMethods = false)
@Profile("agent")
@OpenAPIDefinition(info = @Info(title = "SwaggerSocket sample agent API", version = "0.1.0",
		description = "What each sample agent serves to the hub over its SwaggerSocket connection."))
public class AgentConfiguration {

	@Bean
	AgentIdentity agentIdentity(@Value("${swaggersocket.client.metadata.name}") String name,
			@Value("${swaggersocket.client.metadata.region}") String region) {
		return new AgentIdentity(name, region, Instant.now());
	}

	@Bean
	@RouterOperations({
			@RouterOperation(path = "/api/status", method = RequestMethod.GET,
					operation = @Operation(operationId = "getStatus", tags = "status",
							summary = "Who this agent is and whether it is connected to its hub",
							responses = @ApiResponse(responseCode = "200", description = "the agent's status",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = AgentHandler.AgentStatus.class))))),
			@RouterOperation(path = "/api/hello-hub", method = RequestMethod.GET,
					operation = @Operation(operationId = "helloHub", tags = "status",
							summary = "Make the agent call the hub back over its socket, and return what the hub said",
							responses = @ApiResponse(responseCode = "200", description = "the hub's answer",
									content = @Content(mediaType = "application/json",
											schema = @Schema(implementation = HubGreeter.HubReply.class))))) })
	RouterFunction<ServerResponse> agentRoutes(AgentHandler handler) {
		return route().GET("/api/status", handler::status).GET("/api/hello-hub", handler::helloHub).build();
	}

	/**
	 * The agent's WebSocket handlers, mapped as in any WebFlux application. The hub
	 * reaches them over the agent's socket, and a browser through the hub's gateway:
	 * {@code ws://hub/peers/name=agent-1/ws/ticks}.
	 */
	@Bean
	HandlerMapping agentWebSockets(AgentIdentity identity, JsonMapper json) {
		// before the annotated controllers, as Spring's reference does
		return new SimpleUrlHandlerMapping(Map.of("/ws/ticks", new TickWebSocketHandler(identity, json), "/ws/echo",
				new EchoWebSocketHandler(identity)), -1);
	}

}
