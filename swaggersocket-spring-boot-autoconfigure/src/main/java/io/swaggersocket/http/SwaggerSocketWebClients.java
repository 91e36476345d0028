package io.swaggersocket.http;

import java.util.function.Supplier;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@link WebClient}s that call a peer over its SwaggerSocket connection. Builders
 * start from the application's {@code WebClient.Builder} when there is one (codecs,
 * filters, observation), with only the connector swapped and the base URL set to
 * {@link SwaggerSocketClientHttpConnector#DEFAULT_BASE_URL}.
 *
 * <p>
 * In a cluster ({@code swaggersocket.cluster.enabled}), {@link #webClient(String)} also
 * reaches connections that other hubs hold: each request goes to wherever the directory
 * says the connection is at that moment.
 */
public final class SwaggerSocketWebClients {

	private final SwaggerSocketConnections connections;

	private final Supplier<WebClient.Builder> builders;

	private final Supplier<@Nullable SwaggerSocketConnection> serverConnection;

	private final @Nullable ConnectionDirectory directory;

	private final @Nullable ClusterForwarder forwarder;

	/**
	 * Create a factory.
	 * @param connections the registry to look connections up in
	 * @param builders supplies a fresh builder for each client
	 * @param serverConnection the client role's current connection to its server, or
	 * {@code null}
	 */
	public SwaggerSocketWebClients(SwaggerSocketConnections connections, Supplier<WebClient.Builder> builders,
			Supplier<@Nullable SwaggerSocketConnection> serverConnection) {
		this(connections, builders, serverConnection, null, null);
	}

	/**
	 * Create a factory whose clients by id also reach the connections other hubs of the
	 * cluster hold.
	 * @param connections the registry to look this hub's connections up in
	 * @param builders supplies a fresh builder for each client
	 * @param serverConnection the client role's current connection to its server, or
	 * {@code null}
	 * @param directory the cluster's directory
	 * @param forwarder forwards calls to other hubs
	 */
	public SwaggerSocketWebClients(SwaggerSocketConnections connections, Supplier<WebClient.Builder> builders,
			Supplier<@Nullable SwaggerSocketConnection> serverConnection, @Nullable ConnectionDirectory directory,
			@Nullable ClusterForwarder forwarder) {
		this.connections = connections;
		this.builders = builders;
		this.serverConnection = serverConnection;
		this.directory = directory;
		this.forwarder = forwarder;
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
	 * Return a client bound to the live connection with the given id. In a cluster, one
	 * that another hub holds is reached through that hub, and requests for an id that no
	 * hub holds fail with {@link SwaggerSocketConnectionClosedException}.
	 * @param connectionId the connection id
	 * @return a new client
	 * @throws SwaggerSocketConnectionClosedException if no live connection has that id
	 * and this hub is not part of a cluster
	 */
	public WebClient webClient(String connectionId) {
		SwaggerSocketConnection local = this.connections.find(connectionId).orElse(null);
		if (local != null) {
			return webClient(local);
		}
		if (this.directory == null || this.forwarder == null) {
			throw new SwaggerSocketConnectionClosedException("No live connection " + connectionId);
		}
		return builder(new ClusterClientHttpConnector(connectionId, this.connections, this.directory, this.forwarder))
			.build();
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

	private WebClient.Builder builder(ClientHttpConnector connector) {
		return this.builders.get()
			.clientConnector(connector)
			.baseUrl(SwaggerSocketClientHttpConnector.DEFAULT_BASE_URL);
	}

}
