package io.swaggersocket.sample.hub;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketClientHttpConnector;
import io.swaggersocket.sample.agentclient.ApiClient;

/**
 * Builds the client that OpenAPI Generator made from
 * {@code src/main/openapi/agent-api.yaml} for one agent's connection. The generated code
 * is used as generated: its own {@code WebClient} set-up (codecs, object mapper, base
 * path) stays, only the connector is swapped for one that sends each request over the
 * agent's socket.
 */
public final class AgentApiClients {

	private AgentApiClients() {
	}

	/**
	 * Return a generated {@link ApiClient} bound to a connection; pass it to the
	 * generated {@code ItemsApi}, {@code StatusApi} or {@code TicksApi}.
	 * @param connection the agent's connection
	 * @return a new client
	 */
	public static ApiClient apiClient(SwaggerSocketConnection connection) {
		return new ApiClient(ApiClient.buildWebClientBuilder()
			.clientConnector(new SwaggerSocketClientHttpConnector(connection))
			.build());
	}

}
