package io.swaggersocket.http;

import java.util.function.Supplier;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@link WebClient}s that call a peer over its SwaggerSocket connection. Builders
 * start from the application's {@code WebClient.Builder} when there is one (codecs,
 * filters, observation), with only the connector swapped and the base URL set to
 * {@link SwaggerSocketClientHttpConnector#DEFAULT_BASE_URL}.
 */
public final class SwaggerSocketWebClients {

	private final SwaggerSocketConnections connections;

	private final Supplier<WebClient.Builder> builders;

	private final Supplier<@Nullable SwaggerSocketConnection> serverConnection;

	/**
	 * Create a factory.
	 * @param connections the registry to look connections up in
	 * @param builders supplies a fresh builder for each client
	 * @param serverConnection the client role's current connection to its server, or
	 * {@code null}
	 */
	public SwaggerSocketWebClients(SwaggerSocketConnections connections, Supplier<WebClient.Builder> builders,
			Supplier<@Nullable SwaggerSocketConnection> serverConnection) {
		this.connections = connections;
		this.builders = builders;
		this.serverConnection = serverConnection;
	}

	/**
	 * Return a builder bound to a connection.
	 * @param connection the connection to call over
	 * @return a new builder
	 */
	public WebClient.Builder builder(SwaggerSocketConnection connection) {
		return builder(new SwaggerSocketClientHttpConnector(connection));
	}

	/**
	 * Return a client bound to a connection.
	 * @param connection the connection to call over
	 * @return a new client
	 */
	public WebClient webClient(SwaggerSocketConnection connection) {
		return builder(connection).build();
	}

	/**
	 * Return a client bound to the live connection with the given id.
	 * @param connectionId the connection id
	 * @return a new client
	 * @throws SwaggerSocketConnectionClosedException if no live connection has that id
	 */
	public WebClient webClient(String connectionId) {
		return webClient(this.connections.find(connectionId)
			.orElseThrow(() -> new SwaggerSocketConnectionClosedException("No live connection " + connectionId)));
	}

	/**
	 * Return a builder for calls from the client role to its server, over whichever
	 * connection is current when each request is made (calls fail at once while
	 * disconnected).
	 * @return a new builder
	 */
	public WebClient.Builder serverBuilder() {
		return builder(new SwaggerSocketClientHttpConnector(this.serverConnection));
	}

	/**
	 * Return a client for calls from the client role to its server.
	 * @return a new client
	 * @see #serverBuilder()
	 */
	public WebClient server() {
		return serverBuilder().build();
	}

	private WebClient.Builder builder(SwaggerSocketClientHttpConnector connector) {
		return this.builders.get()
			.clientConnector(connector)
			.baseUrl(SwaggerSocketClientHttpConnector.DEFAULT_BASE_URL);
	}

}
