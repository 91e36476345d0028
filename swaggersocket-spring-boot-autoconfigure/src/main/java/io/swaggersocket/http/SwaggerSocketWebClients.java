package io.swaggersocket.http;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.routing.SwaggerSocketNoMatchingPeerException;
import io.swaggersocket.routing.SwaggerSocketTooManyWaitingException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

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

	private final SwaggerSocketRouting routing;

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
		this(connections, builders, serverConnection, directory, forwarder,
				SwaggerSocketRouting.withoutWaiting(connections, directory, forwarder));
	}

	/**
	 * Create a factory whose clients by id also reach the connections other hubs of the
	 * cluster hold, and whose clients by selector follow the given routing.
	 * @param connections the registry to look this hub's connections up in
	 * @param builders supplies a fresh builder for each client
	 * @param serverConnection the client role's current connection to its server, or
	 * {@code null}
	 * @param directory the cluster's directory, or {@code null} outside a cluster
	 * @param forwarder forwards calls to other hubs, or {@code null} outside a cluster
	 * @param routing where calls by selector go
	 */
	public SwaggerSocketWebClients(SwaggerSocketConnections connections, Supplier<WebClient.Builder> builders,
			Supplier<@Nullable SwaggerSocketConnection> serverConnection, @Nullable ConnectionDirectory directory,
			@Nullable ClusterForwarder forwarder, SwaggerSocketRouting routing) {
		this.connections = connections;
		this.builders = builders;
		this.serverConnection = serverConnection;
		this.directory = directory;
		this.forwarder = forwarder;
		this.routing = routing;
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
	 * Return the application's routing options ({@code swaggersocket.routing.*}), to
	 * start a client's own from, as in
	 * {@code routingOptions().withWaitTimeout(Duration.ofSeconds(10))}.
	 * @return the default routing options
	 */
	public RoutingOptions routingOptions() {
		return this.routing.defaults();
	}

	/**
	 * Return a builder whose requests each go to one live connection matching the
	 * selector, with the default routing options ({@code swaggersocket.routing.*}):
	 * picked per request, skipping connections that are going away, retried on another
	 * matching connection when that is safe (see
	 * {@link #builder(PeerSelector, RoutingOptions)}). In a cluster, the connections
	 * other hubs hold match too.
	 * @param selector which connections may take the requests
	 * @return a new builder
	 */
	public WebClient.Builder builder(PeerSelector selector) {
		return builder(selector, this.routing.defaults());
	}

	/**
	 * Return a builder whose requests each go to one live connection matching the
	 * selector. A request the peer refused (or that could not be sent) is retried on
	 * another matching connection, whatever its method; one whose connection was lost
	 * before any of the response arrived only if it is idempotent (GET, HEAD, OPTIONS,
	 * PUT, DELETE, or with an {@code Idempotency-Key} header), at most
	 * {@link RoutingOptions#maxAttempts()} attempts in all. The request is written again
	 * for each attempt, so its body must be one that can be subscribed to again. When no
	 * connection matches, requests fail with {@link SwaggerSocketNoMatchingPeerException}
	 * or, if the options wait, wait up to {@link RoutingOptions#waitTimeout()} for one to
	 * connect (at most {@code swaggersocket.routing.max-waiting} at once, beyond which
	 * they fail with {@link SwaggerSocketTooManyWaitingException}).
	 * @param selector which connections may take the requests
	 * @param options how to pick, retry and wait
	 * @return a new builder
	 */
	public WebClient.Builder builder(PeerSelector selector, RoutingOptions options) {
		return builder(new SelectorClientHttpConnector(selector, options, this.routing,
				// a random first turn: clients made per call do not all start on the
				// same connection
				new AtomicInteger(ThreadLocalRandom.current().nextInt()), () -> true));
	}

	/**
	 * Return a client whose requests each go to one live connection matching the
	 * selector.
	 * @param selector which connections may take the requests
	 * @return a new client
	 * @see #builder(PeerSelector)
	 */
	public WebClient webClient(PeerSelector selector) {
		return builder(selector).build();
	}

	/**
	 * Return a client whose requests each go to one live connection matching the
	 * selector.
	 * @param selector which connections may take the requests
	 * @param options how to pick, retry and wait
	 * @return a new client
	 * @see #builder(PeerSelector, RoutingOptions)
	 */
	public WebClient webClient(PeerSelector selector, RoutingOptions options) {
		return builder(selector, options).build();
	}

	/**
	 * Return an HTTP interface client ({@code @HttpExchange} methods) whose calls each go
	 * to one live connection matching the selector.
	 * @param <S> the interface type
	 * @param selector which connections may take the calls
	 * @param type the interface
	 * @return a client proxy
	 * @see #builder(PeerSelector)
	 */
	public <S> S forSelector(PeerSelector selector, Class<S> type) {
		return httpInterface(webClient(selector), type);
	}

	/**
	 * Return an HTTP interface client whose calls each go to one live connection whose
	 * metadata has {@code key} with {@code value}, for example
	 * {@code forSelector("region", "eu-west", AgentApi.class).status()}.
	 * @param <S> the interface type
	 * @param key the metadata key
	 * @param value the value's text
	 * @param type the interface
	 * @return a client proxy
	 */
	public <S> S forSelector(String key, String value, Class<S> type) {
		return forSelector(PeerSelector.of(key, value), type);
	}

	/**
	 * Return an HTTP interface client whose calls each go to one live connection matching
	 * the selector, with the given options.
	 * @param <S> the interface type
	 * @param selector which connections may take the calls
	 * @param options how to pick, retry and wait
	 * @param type the interface
	 * @return a client proxy
	 */
	public <S> S forSelector(PeerSelector selector, RoutingOptions options, Class<S> type) {
		return httpInterface(webClient(selector, options), type);
	}

	/**
	 * Return an HTTP interface client bound to a connection.
	 * @param <S> the interface type
	 * @param connection the connection to call over
	 * @param type the interface
	 * @return a client proxy
	 */
	public <S> S forConnection(SwaggerSocketConnection connection, Class<S> type) {
		return httpInterface(webClient(connection), type);
	}

	/**
	 * Return an HTTP interface client bound to the live connection with the given id
	 * (anywhere in a cluster).
	 * @param <S> the interface type
	 * @param connectionId the connection id
	 * @param type the interface
	 * @return a client proxy
	 * @throws SwaggerSocketConnectionClosedException if no live connection has that id
	 * and this hub is not part of a cluster
	 */
	public <S> S forConnection(String connectionId, Class<S> type) {
		return httpInterface(webClient(connectionId), type);
	}

	/**
	 * Return an HTTP interface client for calls from the client role to its server.
	 * @param <S> the interface type
	 * @param type the interface
	 * @return a client proxy
	 * @see #serverBuilder()
	 */
	public <S> S forServer(Class<S> type) {
		return httpInterface(server(), type);
	}

	/**
	 * Return an HTTP interface client over any {@code WebClient}, for example one built
	 * from {@link #builder(PeerSelector)} with filters of its own.
	 * @param <S> the interface type
	 * @param webClient the client to call through
	 * @param type the interface
	 * @return a client proxy
	 */
	public static <S> S httpInterface(WebClient webClient, Class<S> type) {
		return HttpServiceProxyFactory.builderFor(WebClientAdapter.create(webClient)).build().createClient(type);
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
