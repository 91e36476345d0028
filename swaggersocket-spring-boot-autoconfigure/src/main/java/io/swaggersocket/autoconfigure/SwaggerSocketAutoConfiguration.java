package io.swaggersocket.autoconfigure;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.client.SwaggerSocketMetadataCustomizer;
import io.swaggersocket.client.SwaggerSocketUpgradeHeadersCustomizer;
import io.swaggersocket.cluster.ClusterForwarder;
import io.swaggersocket.cluster.ClusterSecret;
import io.swaggersocket.cluster.ConnectionDirectory;
import io.swaggersocket.cluster.HubLinks;
import io.swaggersocket.cluster.LocalConnectionDirectory;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHandshakeValidator;
import io.swaggersocket.connection.SwaggerSocketHeartbeatHandler;
import io.swaggersocket.connection.SwaggerSocketObserver;
import io.swaggersocket.connection.SwaggerSocketStreamHandler;
import io.swaggersocket.http.SocketRequestDispatcher;
import io.swaggersocket.http.SwaggerSocketClientHttpConnector;
import io.swaggersocket.http.SwaggerSocketClusterHandler;
import io.swaggersocket.http.SwaggerSocketExchanges;
import io.swaggersocket.http.SwaggerSocketGatewayHandler;
import io.swaggersocket.http.SwaggerSocketRouteHandlerMapping;
import io.swaggersocket.http.SwaggerSocketRouting;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.routing.PeerWaiters;
import io.swaggersocket.routing.RoutingOptions;
import io.swaggersocket.server.SwaggerSocketUpgradeHandler;
import io.swaggersocket.server.SwaggerSocketWebSocketHandler;
import io.swaggersocket.websocket.SwaggerSocketWebSocketService;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.server.WebHandler;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * Auto-configuration for SwaggerSocket: the shared connection machinery, the server
 * endpoint in reactive web applications, and the client when
 * {@code swaggersocket.client.url} is set.
 */
@AutoConfiguration
@ConditionalOnClass({ ReactorNettyWebSocketClient.class, HttpServer.class })
@EnableConfigurationProperties(SwaggerSocketProperties.class)
public final class SwaggerSocketAutoConfiguration {

	/** Before the application's router functions (-1) and controllers (0). */
	static final int HANDLER_MAPPING_ORDER = -2;

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketConnections swaggerSocketConnections() {
		return new SwaggerSocketConnections();
	}

	/**
	 * This application's connections only; a cluster's directory replaces it.
	 */
	@Bean
	@ConditionalOnMissingBean
	ConnectionDirectory swaggerSocketConnectionDirectory(SwaggerSocketConnections connections,
			SwaggerSocketProperties properties) {
		String hubId = properties.getCluster().getHubId();
		return new LocalConnectionDirectory(connections, (hubId != null) ? hubId : "local");
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionManager swaggerSocketConnectionManager(SwaggerSocketProperties properties,
			SwaggerSocketConnections connections, ApplicationEventPublisher eventPublisher,
			ObjectProvider<SwaggerSocketHeartbeatHandler> heartbeatHandler, SwaggerSocketStreamHandler streamHandler,
			ObjectProvider<SwaggerSocketObserver> observer, ObjectProvider<SwaggerSocketHandshakeValidator> validator,
			Environment environment) {
		return new ConnectionManager(SwaggerSocketPropertiesMapper.connectionOptions(properties, environment),
				connections, eventPublisher,
				heartbeatHandler.getIfAvailable(() -> SwaggerSocketHeartbeatHandler.DEFAULT), streamHandler,
				observer.getIfAvailable(() -> SwaggerSocketObserver.NONE),
				validator.getIfAvailable(() -> SwaggerSocketHandshakeValidator.ACCEPT_ALL));
	}

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketStreamHandler swaggerSocketRequestDispatcher(SwaggerSocketProperties properties,
			ObjectProvider<HttpHandler> httpHandler, Environment environment) {
		SwaggerSocketProperties.Expose expose = properties.getExpose();
		return new SocketRequestDispatcher(httpHandler::getIfAvailable, properties.getServer().isServe(),
				properties.getClient().isServe(), expose.getInclude(),
				SwaggerSocketPropertiesMapper.excludedPaths(expose, environment), properties.getWebsocket().isEnabled()
						? SwaggerSocketPropertiesMapper.webSocketMaxMessageSize(properties) : 0);
	}

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketExchanges swaggerSocketExchanges() {
		return new SwaggerSocketExchanges();
	}

	@Bean
	@ConditionalOnMissingBean
	PeerWaiters swaggerSocketPeerWaiters(SwaggerSocketProperties properties) {
		return new PeerWaiters(properties.getRouting().getMaxWaiting(),
				properties.getCluster().isEnabled() ? PeerWaiters.CLUSTER_POLL_INTERVAL : null);
	}

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketRouting swaggerSocketRouting(SwaggerSocketProperties properties, SwaggerSocketConnections connections,
			ConnectionDirectory directory, ObjectProvider<ClusterForwarder> forwarder, PeerWaiters waiters) {
		SwaggerSocketProperties.Routing routing = properties.getRouting();
		return new SwaggerSocketRouting(connections, directory, forwarder.getIfAvailable(), waiters,
				new RoutingOptions(routing.getLoadBalancing(), routing.getMaxAttempts(), routing.getWaitTimeout()));
	}

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketWebClients swaggerSocketWebClients(SwaggerSocketConnections connections,
			ObjectProvider<WebClient.Builder> builders, ObjectProvider<SwaggerSocketClient> client,
			ConnectionDirectory directory, ObjectProvider<ClusterForwarder> forwarder, SwaggerSocketRouting routing) {
		ClusterForwarder clusterForwarder = forwarder.getIfAvailable();
		return new SwaggerSocketWebClients(connections, () -> builders.getIfAvailable(WebClient::builder), () -> {
			SwaggerSocketClient dialer = client.getIfAvailable();
			return (dialer != null) ? dialer.getConnection().orElse(null) : null;
		}, (clusterForwarder != null) ? directory : null, clusterForwarder, routing);
	}

	@Bean
	@ConditionalOnMissingBean
	SwaggerSocketWebSockets swaggerSocketWebSockets(SwaggerSocketProperties properties,
			SwaggerSocketConnections connections, SwaggerSocketRouting routing) {
		return new SwaggerSocketWebSockets(connections, routing,
				SwaggerSocketPropertiesMapper.webSocketMaxMessageSize(properties));
	}

	/**
	 * WebSockets the peer opens over streams reach the application's WebSocket handlers.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnBooleanProperty(name = "swaggersocket.websocket.enabled", matchIfMissing = true)
	static class WebSocketConfiguration {

		@Bean
		static BeanPostProcessor swaggerSocketWebSocketHandlerAdapterPostProcessor() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (bean instanceof WebSocketHandlerAdapter adapter
							&& !(adapter.getWebSocketService() instanceof SwaggerSocketWebSocketService)) {
						WebSocketHandlerAdapter extended = new WebSocketHandlerAdapter(
								new SwaggerSocketWebSocketService(adapter.getWebSocketService()));
						extended.setOrder(adapter.getOrder());
						return extended;
					}
					return bean;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnBooleanProperty(name = "swaggersocket.server.enabled", matchIfMissing = true)
	static class ServerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SwaggerSocketWebSocketHandler swaggerSocketWebSocketHandler(ConnectionManager connectionManager) {
			return new SwaggerSocketWebSocketHandler(connectionManager);
		}

		@Bean
		@ConditionalOnMissingBean(name = "swaggerSocketHandlerMapping")
		SimpleUrlHandlerMapping swaggerSocketHandlerMapping(SwaggerSocketProperties properties,
				SwaggerSocketWebSocketHandler handler, ConnectionManager connectionManager) {
			ConnectionOptions options = connectionManager.options();
			int maxMessageSize = Math.max(options.settings().maxFrameSize(), options.maxMetadataSize())
					+ FrameCodec.HEADER_LENGTH;
			return new SimpleUrlHandlerMapping(
					Map.of(properties.getServer().getPath(), new SwaggerSocketUpgradeHandler(handler, maxMessageSize)),
					HANDLER_MAPPING_ORDER);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnBooleanProperty(name = "swaggersocket.server.gateway.enabled")
	static class GatewayConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "swaggerSocketGatewayHandlerMapping")
		SimpleUrlHandlerMapping swaggerSocketGatewayHandlerMapping(SwaggerSocketProperties properties,
				SwaggerSocketConnections connections, ConnectionDirectory directory,
				ObjectProvider<ClusterForwarder> forwarder, SwaggerSocketRouting routing,
				ObjectProvider<SwaggerSocketWebSockets> webSockets) {
			String prefix = SwaggerSocketPropertiesMapper
				.gatewayPrefix(properties.getServer().getGateway().getPrefix());
			SwaggerSocketWebSockets clients = webSockets.getIfAvailable();
			SwaggerSocketGatewayHandler handler = (clients != null)
					? new SwaggerSocketGatewayHandler(connections, prefix, directory, forwarder.getIfAvailable(),
							routing, properties.getRouting().getMaxWaitTimeout(), clients)
					: new SwaggerSocketGatewayHandler(connections, prefix, directory, forwarder.getIfAvailable(),
							routing, properties.getRouting().getMaxWaitTimeout());
			return new SimpleUrlHandlerMapping(Map.of(prefix + "/**", handler), HANDLER_MAPPING_ORDER);
		}

	}

	/**
	 * Routes of an agent to local upstream services, served to the connection it dialed.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnProperty(name = "swaggersocket.client.routes[0].path")
	static class RoutesConfiguration {

		@Bean(destroyMethod = "dispose")
		@ConditionalOnMissingBean
		SwaggerSocketRouteHandlerMapping swaggerSocketRouteHandlerMapping(SwaggerSocketProperties properties,
				ObjectProvider<ReactorResourceFactory> resourceFactory) {
			return new SwaggerSocketRouteHandlerMapping(
					SwaggerSocketPropertiesMapper.routes(properties.getClient().getRoutes()),
					loopResources(resourceFactory), SwaggerSocketPropertiesMapper.webSocketMaxMessageSize(properties),
					HANDLER_MAPPING_ORDER);
		}

	}

	/**
	 * Calls between the hubs of a cluster: the client that forwards calls for connections
	 * other hubs hold, and the endpoint that serves such calls for this hub's own.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "swaggersocket.cluster.enabled")
	static class ClusterForwardingConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClusterSecret swaggerSocketClusterSecret(SwaggerSocketProperties properties) {
			String secret = properties.getCluster().getSecret();
			if (secret == null || secret.isBlank()) {
				throw new IllegalStateException(
						"swaggersocket.cluster.secret is required when swaggersocket.cluster.enabled=true");
			}
			return new ClusterSecret(secret);
		}

		/**
		 * The links to the other hubs, run by a connection manager of their own: its
		 * registry is not the agents', so links are never listed, looked up or announced.
		 * Its requests reach the cluster endpoint alone, without the application's
		 * filters: the link was authenticated by the secret when it was accepted, and
		 * every call on it carries the secret again. Links serve calls in both roles: a
		 * hub sends a large request body on the link the other hub dialed back.
		 * <p>
		 * Only the directory's hub id is asked for, through a provider, so that the links
		 * are not registered as the directory's dependent: Spring stops a bean's
		 * dependents first, in its own shutdown phase and counted as its own, and the
		 * links' quick stop then let the context send GOAWAY and shut the Redis client
		 * down while the directory was still withdrawing.
		 */
		@Bean
		@ConditionalOnMissingBean
		HubLinks swaggerSocketHubLinks(SwaggerSocketProperties properties, SwaggerSocketConnections connections,
				ObjectProvider<ConnectionDirectory> directory, ClusterSecret secret,
				ObjectProvider<ReactorResourceFactory> resourceFactory, ObjectProvider<ClusterHubUrl> hubUrl,
				Environment environment) {
			String path = SwaggerSocketPropertiesMapper.clusterPath(properties.getCluster().getPath());
			HttpHandler endpoint = WebHttpHandlerBuilder
				.webHandler(new SwaggerSocketClusterHandler(connections, path, secret))
				.build();
			ConnectionOptions options = SwaggerSocketPropertiesMapper
				.linkOptions(SwaggerSocketPropertiesMapper.connectionOptions(properties, environment));
			LoopResources loops = loopResources(resourceFactory);
			HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
			return new HubLinks(options,
					new SocketRequestDispatcher(() -> endpoint, true, true, List.of(path + "/**"), List.of()),
					(loops != null) ? client.runOn(loops) : client, path, secret, directory.getObject().hubId(),
					() -> advertisedUrl(hubUrl));
		}

		/**
		 * The URL this hub advertises, which its links offer so that the other hub dials
		 * one back; none with a directory of the application's own, or before the web
		 * server has started.
		 */
		private static @Nullable URI advertisedUrl(ObjectProvider<ClusterHubUrl> hubUrl) {
			ClusterHubUrl url = hubUrl.getIfAvailable();
			try {
				return (url != null) ? url.get() : null;
			}
			catch (IllegalStateException ex) {
				return null;
			}
		}

		@Bean
		@ConditionalOnMissingBean
		ClusterForwarder swaggerSocketClusterForwarder(SwaggerSocketProperties properties, ClusterSecret secret,
				HubLinks links) {
			return new ClusterForwarder(SwaggerSocketPropertiesMapper.clusterPath(properties.getCluster().getPath()),
					secret, links, SwaggerSocketClientHttpConnector::choosing);
		}

		@Bean
		@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
		@ConditionalOnMissingBean(name = "swaggerSocketClusterHandlerMapping")
		SimpleUrlHandlerMapping swaggerSocketClusterHandlerMapping(SwaggerSocketProperties properties,
				SwaggerSocketConnections connections, ClusterSecret secret, HubLinks links) {
			String path = SwaggerSocketPropertiesMapper.clusterPath(properties.getCluster().getPath());
			ConnectionOptions options = links.manager().options();
			int maxMessageSize = options.settings().maxFrameSize() + FrameCodec.HEADER_LENGTH;
			WebHandler linkUpgrade = new SwaggerSocketUpgradeHandler(new SwaggerSocketWebSocketHandler(links.manager()),
					maxMessageSize);
			return new SimpleUrlHandlerMapping(
					Map.of(path + "/**", new SwaggerSocketClusterHandler(connections, path, secret, linkUpgrade)),
					HANDLER_MAPPING_ORDER);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "swaggersocket.client.url")
	static class ClientConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SwaggerSocketClient swaggerSocketClient(SwaggerSocketProperties properties, ConnectionManager connectionManager,
				ObjectProvider<SwaggerSocketMetadataCustomizer> metadataCustomizers,
				ObjectProvider<SwaggerSocketUpgradeHeadersCustomizer> headersCustomizers,
				ObjectProvider<ReactorResourceFactory> resourceFactory) {
			SwaggerSocketProperties.Client client = properties.getClient();
			return new SwaggerSocketClient(SwaggerSocketPropertiesMapper.clientUrl(client.getUrl()),
					SwaggerSocketClient.metadata(client.getMetadata(), metadataCustomizers.orderedStream().toList()),
					SwaggerSocketClient.headers(client.getHeaders(), headersCustomizers.orderedStream().toList()),
					SwaggerSocketPropertiesMapper.reconnectPolicy(client.getReconnect()), connectionManager,
					httpClient(loopResources(resourceFactory)));
		}

		/**
		 * A WebSocket is never returned to a pool, and a pool's limit (500 by default)
		 * would silently hold back further dials: connections are not pooled. They run on
		 * the application's Reactor Netty event loops when it has them, as Boot's own
		 * WebClient does.
		 */
		private static HttpClient httpClient(@Nullable LoopResources loopResources) {
			HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
			return (loopResources != null) ? client.runOn(loopResources) : client;
		}

	}

	/**
	 * The application's own Reactor Netty event loops, for the clients the starter makes,
	 * or {@code null} for Reactor Netty's global ones.
	 */
	private static @Nullable LoopResources loopResources(ObjectProvider<ReactorResourceFactory> resourceFactory) {
		ReactorResourceFactory resources = resourceFactory.getIfAvailable();
		return (resources != null) ? resources.getLoopResources() : null;
	}

}
