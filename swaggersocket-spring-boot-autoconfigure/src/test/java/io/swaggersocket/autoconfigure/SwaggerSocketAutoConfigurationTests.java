package io.swaggersocket.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.swaggersocket.client.ReconnectPolicy;
import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.ConnectionInfo;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.ConnectionSettings;
import io.swaggersocket.connection.SpreadHandling;
import io.swaggersocket.connection.StreamMessage;
import io.swaggersocket.connection.StreamResponder;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHeartbeatHandler;
import io.swaggersocket.connection.SwaggerSocketStreamHandler;
import io.swaggersocket.http.SwaggerSocketExchanges;
import io.swaggersocket.http.SwaggerSocketRoute;
import io.swaggersocket.http.SwaggerSocketRouteHandlerMapping;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.server.SwaggerSocketUpgradeHandler;
import io.swaggersocket.server.SwaggerSocketWebSocketHandler;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link SwaggerSocketAutoConfiguration}.
 */
class SwaggerSocketAutoConfigurationTests {

	/**
	 * A port nothing listens on, so that a started client fails fast and quietly keeps
	 * retrying.
	 */
	private static final String CLIENT_URL = "ws://127.0.0.1:1/swaggersocket";

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SwaggerSocketAutoConfiguration.class));

	@Test
	void providesRegistryConnectionManagerAndEndpointInReactiveWebApplication() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketConnections.class)
			.hasSingleBean(ConnectionManager.class)
			.hasSingleBean(SwaggerSocketWebSocketHandler.class)
			.hasBean("swaggerSocketHandlerMapping"));
	}

	@Test
	void mapsEndpointToDefaultPath() {
		this.contextRunner.run((context) -> {
			HandlerMapping mapping = context.getBean("swaggerSocketHandlerMapping", HandlerMapping.class);
			assertThat(handler(mapping, "/swaggersocket")).isInstanceOf(SwaggerSocketUpgradeHandler.class);
			assertThat(handler(mapping, "/other")).isNull();
		});
	}

	@Test
	void mapsEndpointToConfiguredPath() {
		this.contextRunner.withPropertyValues("swaggersocket.server.path=/agents").run((context) -> {
			HandlerMapping mapping = context.getBean("swaggerSocketHandlerMapping", HandlerMapping.class);
			assertThat(handler(mapping, "/agents")).isInstanceOf(SwaggerSocketUpgradeHandler.class);
			assertThat(handler(mapping, "/swaggersocket")).isNull();
		});
	}

	@Test
	void endpointTakesPrecedenceOverApplicationRoutes() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(WebFluxAutoConfiguration.class, CodecsAutoConfiguration.class))
			.withUserConfiguration(ClashingRouteConfiguration.class)
			.run((context) -> assertThat(dispatchedHandler(context, "/swaggersocket"))
				.isInstanceOf(SwaggerSocketUpgradeHandler.class));
	}

	@Test
	void disablingServerRemovesEndpointButKeepsRegistryAndConnectionManager() {
		this.contextRunner.withPropertyValues("swaggersocket.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SwaggerSocketWebSocketHandler.class)
				.doesNotHaveBean("swaggerSocketHandlerMapping")
				.hasSingleBean(SwaggerSocketConnections.class)
				.hasSingleBean(ConnectionManager.class));
	}

	@Test
	void nonWebApplicationGetsNoEndpoint() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SwaggerSocketAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(SwaggerSocketWebSocketHandler.class)
				.doesNotHaveBean("swaggerSocketHandlerMapping")
				.hasSingleBean(SwaggerSocketConnections.class)
				.hasSingleBean(ConnectionManager.class));
	}

	@Test
	void backsOffWithoutReactorNettyHttpServer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HttpServer.class))
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL)
			.run((context) -> assertThat(context).doesNotHaveBean(SwaggerSocketConnections.class)
				.doesNotHaveBean(ConnectionManager.class)
				.doesNotHaveBean(SwaggerSocketWebSocketHandler.class)
				.doesNotHaveBean("swaggerSocketHandlerMapping")
				.doesNotHaveBean(SwaggerSocketClient.class)
				.doesNotHaveBean(SwaggerSocketProperties.class));
	}

	@Test
	void noClientWithoutUrl() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SwaggerSocketClient.class));
	}

	@Test
	void clientDialsConfiguredUrl() {
		this.contextRunner.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL)
			.run((context) -> assertThat(context).getBean(SwaggerSocketClient.class)
				.extracting(SwaggerSocketClient::getUrl)
				.isEqualTo(URI.create(CLIENT_URL)));
	}

	@Test
	void clientIsAvailableInNonWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SwaggerSocketAutoConfiguration.class))
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketClient.class));
	}

	@Test
	void clientSendsConfiguredMetadata() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL, "swaggersocket.client.metadata.name=agent-1",
					"swaggersocket.client.metadata.region=eu-west")
			.run((context) -> assertThat(context.getBean(SwaggerSocketClient.class))
				.extracting("metadata", as(type(Supplier.class)))
				.extracting(Supplier::get)
				.isEqualTo(Map.of("name", "agent-1", "region", "eu-west")));
	}

	@Test
	void clientSendsConfiguredUpgradeHeaders() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL,
					"swaggersocket.client.headers.Authorization=Bearer token")
			.run((context) -> assertThat(context.getBean(SwaggerSocketClient.class))
				.extracting("headers", as(type(Supplier.class)))
				.extracting(Supplier::get, as(type(HttpHeaders.class)))
				.satisfies((headers) -> assertThat(headers.getFirst(HttpHeaders.AUTHORIZATION))
					.isEqualTo("Bearer token")));
	}

	@Test
	void clientReconnectsWithDocumentedBackoffByDefault() {
		this.contextRunner.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL)
			.run((context) -> assertThat(reconnectPolicy(context))
				.isEqualTo(new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5)));
	}

	@Test
	void reconnectInitialBackoffBindsAndTakesEffect() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL,
					"swaggersocket.client.reconnect.initial-backoff=250ms")
			.run((context) -> assertThat(reconnectPolicy(context).initialBackoff()).isEqualTo(Duration.ofMillis(250)));
	}

	@Test
	void reconnectMaxBackoffBindsAndTakesEffect() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL,
					"swaggersocket.client.reconnect.max-backoff=2m")
			.run((context) -> assertThat(reconnectPolicy(context).maxBackoff()).isEqualTo(Duration.ofMinutes(2)));
	}

	@Test
	void reconnectJitterBindsAndTakesEffect() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL, "swaggersocket.client.reconnect.jitter=0.2")
			.run((context) -> assertThat(reconnectPolicy(context).jitter()).isEqualTo(0.2));
	}

	@Test
	void providesStreamHandlerExchangesFilterAndWebClientFactory() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketStreamHandler.class)
			.hasSingleBean(SwaggerSocketExchanges.class)
			.hasSingleBean(SwaggerSocketWebClients.class));
	}

	@Test
	void servesApplicationHttpApiToPeersInBothRolesByDefault() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class).run((context) -> {
			assertThat(dispatch(context, ConnectionRole.SERVER, "/api/agents")).isEqualTo("200");
			assertThat(dispatch(context, ConnectionRole.CLIENT, "/api/agents")).isEqualTo("200");
		});
	}

	@Test
	void answersNotFoundToPeersOfApplicationWithoutHttpApi() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SwaggerSocketAutoConfiguration.class))
			.run((context) -> assertThat(dispatch(context, ConnectionRole.CLIENT, "/api/agents")).isEqualTo("404"));
	}

	@Test
	void serverServeFalseStopsServingAcceptedConnectionsOnly() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("swaggersocket.server.serve=false")
			.run((context) -> {
				assertThat(dispatch(context, ConnectionRole.SERVER, "/api/agents")).isEqualTo("404");
				assertThat(dispatch(context, ConnectionRole.CLIENT, "/api/agents")).isEqualTo("200");
			});
	}

	@Test
	void clientServeFalseStopsServingDialedConnectionsOnly() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("swaggersocket.client.serve=false")
			.run((context) -> {
				assertThat(dispatch(context, ConnectionRole.CLIENT, "/api/agents")).isEqualTo("404");
				assertThat(dispatch(context, ConnectionRole.SERVER, "/api/agents")).isEqualTo("200");
			});
	}

	@Test
	void exposeIncludeLimitsReachablePaths() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("swaggersocket.expose.include=/api/**")
			.run((context) -> {
				assertThat(dispatch(context, ConnectionRole.SERVER, "/api/agents")).isEqualTo("200");
				assertThat(dispatch(context, ConnectionRole.SERVER, "/admin")).isEqualTo("404");
			});
	}

	@Test
	void exposeExcludeHidesIncludedPaths() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("swaggersocket.expose.exclude=/api/internal/**")
			.run((context) -> {
				assertThat(dispatch(context, ConnectionRole.SERVER, "/api/internal/keys")).isEqualTo("404");
				assertThat(dispatch(context, ConnectionRole.SERVER, "/api/agents")).isEqualTo("200");
			});
	}

	@Test
	void hidesActuatorFromPeersByDefault() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.run((context) -> assertThat(dispatch(context, ConnectionRole.SERVER, "/actuator/health"))
				.isEqualTo("404"));
	}

	@Test
	void hidesActuatorAtConfiguredManagementBasePath() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("management.endpoints.web.base-path=/manage")
			.run((context) -> {
				assertThat(dispatch(context, ConnectionRole.SERVER, "/manage/health")).isEqualTo("404");
				assertThat(dispatch(context, ConnectionRole.SERVER, "/actuator/health")).isEqualTo("200");
			});
	}

	@Test
	void exposeExcludeActuatorFalseServesActuatorToPeers() {
		this.contextRunner.withUserConfiguration(HttpApiConfiguration.class)
			.withPropertyValues("swaggersocket.expose.exclude-actuator=false")
			.run((context) -> assertThat(dispatch(context, ConnectionRole.SERVER, "/actuator/health"))
				.isEqualTo("200"));
	}

	@Test
	void declaresProtocolDefaultSettingsByDefault() {
		this.contextRunner.run((context) -> assertThat(options(context).settings())
			.isEqualTo(ConnectionSettings.DEFAULTS.withEnableConnectProtocol(true)));
	}

	@Test
	void doesNotAnnounceWebSocketsOverStreamsWhenTheyAreOff() {
		this.contextRunner.withPropertyValues("swaggersocket.websocket.enabled=false")
			.run((context) -> assertThat(options(context).settings()).isEqualTo(ConnectionSettings.DEFAULTS));
	}

	@Test
	void usesDocumentedTimeoutsAndMetadataLimitByDefault() {
		this.contextRunner.run((context) -> {
			ConnectionOptions options = options(context);
			assertThat(options.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(options.heartbeatInterval()).isEqualTo(Duration.ofSeconds(20));
			assertThat(options.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(60));
			assertThat(options.maxMetadataSize()).isEqualTo(16 * 1024);
		});
	}

	@Test
	void handshakeTimeoutBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.handshake-timeout=3s")
			.run((context) -> assertThat(options(context).handshakeTimeout()).isEqualTo(Duration.ofSeconds(3)));
	}

	@Test
	void maxFrameSizeBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-frame-size=128KB")
			.run((context) -> assertThat(options(context).settings().maxFrameSize()).isEqualTo(128 * 1024));
	}

	@Test
	void maxHeaderBlockSizeBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-header-block-size=8KB")
			.run((context) -> assertThat(options(context).settings().maxHeaderBlockSize()).isEqualTo(8 * 1024));
	}

	@Test
	void maxMetadataSizeBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-metadata-size=32KB")
			.run((context) -> assertThat(options(context).maxMetadataSize()).isEqualTo(32 * 1024));
	}

	@Test
	void initialStreamWindowBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.initial-stream-window=512KB")
			.run((context) -> assertThat(options(context).settings().initialStreamWindow()).isEqualTo(512 * 1024));
	}

	@Test
	void connectionWindowBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.connection-window=4MB")
			.run((context) -> assertThat(options(context).settings().connectionWindow()).isEqualTo(4 * 1024 * 1024));
	}

	@Test
	void maxWindowBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-window=16MB")
			.run((context) -> assertThat(options(context).maxWindow()).isEqualTo(16 * 1024 * 1024));
	}

	@Test
	void spreadHandlingBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.spread-handling=when-busy")
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.WHEN_BUSY));
		this.contextRunner.withPropertyValues("swaggersocket.spread-handling=on")
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.ON));
		this.contextRunner.withPropertyValues("swaggersocket.spread-handling=off")
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.OFF));
	}

	@Test
	void spreadHandlingStillTakesTheBooleansItOnceTook() {
		this.contextRunner.withPropertyValues("swaggersocket.spread-handling=true")
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.ON));
		this.contextRunner.withPropertyValues("swaggersocket.spread-handling=false")
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.OFF));
	}

	@Test
	void spreadHandlingIsOffByDefault() {
		this.contextRunner
			.run((context) -> assertThat(options(context).spreadHandling()).isEqualTo(SpreadHandling.OFF));
	}

	@Test
	void windowsGrowToSixtyFourMegabytesByDefault() {
		this.contextRunner.run((context) -> assertThat(options(context).maxWindow()).isEqualTo(64 * 1024 * 1024));
	}

	@Test
	void maxConcurrentStreamsBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-concurrent-streams=32")
			.run((context) -> assertThat(options(context).settings().maxConcurrentStreams()).isEqualTo(32));
	}

	@Test
	void failsToStartWhenAWindowExceedsTheProtocolMaximum() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.connection-window=4GB")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.limits.connection-window"));
	}

	@Test
	void failsToStartWhenMaxFrameSizeIsBelowTheProtocolMinimum() {
		this.contextRunner.withPropertyValues("swaggersocket.limits.max-frame-size=8KB")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.limits.max-frame-size"));
	}

	@Test
	void mapsNoRoutesWhenNoneAreConfigured() {
		this.contextRunner
			.run((context) -> assertThat(context).doesNotHaveBean(SwaggerSocketRouteHandlerMapping.class));
	}

	@Test
	void routesBind() {
		this.contextRunner.withPropertyValues("swaggersocket.client.routes[0].path=/device/**",
				"swaggersocket.client.routes[0].uri=http://192.168.1.20:8080",
				"swaggersocket.client.routes[0].strip-prefix=true", "swaggersocket.client.routes[0].connect-timeout=2s",
				"swaggersocket.client.routes[0].response-timeout=3s",
				"swaggersocket.client.routes[0].preserve-host=true", "swaggersocket.client.routes[1].path=/cam/**",
				"swaggersocket.client.routes[1].uri=https://cam.local")
			.run((context) -> assertThat(context.getBean(SwaggerSocketRouteHandlerMapping.class).getRoutes())
				.containsExactly(
						new SwaggerSocketRoute("/device/**", URI.create("http://192.168.1.20:8080"), true,
								Duration.ofSeconds(2), Duration.ofSeconds(3), true),
						new SwaggerSocketRoute("/cam/**", URI.create("https://cam.local"), false,
								Duration.ofSeconds(10), Duration.ofSeconds(60), false)));
	}

	@Test
	void failsToStartWhenARouteUriIsNotHttp() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.routes[0].path=/device/**",
					"swaggersocket.client.routes[0].uri=ftp://192.168.1.20")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.client.routes[0].uri"));
	}

	@Test
	void failsToStartWhenARouteHasNoUri() {
		this.contextRunner.withPropertyValues("swaggersocket.client.routes[0].path=/device/**")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.client.routes[0].uri"));
	}

	@Test
	void failsToStartWhenClientUrlIsEmpty() {
		this.contextRunner.withPropertyValues("swaggersocket.client.url=")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.client.url"));
	}

	@Test
	void heartbeatIntervalBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.heartbeat.interval=5s")
			.run((context) -> assertThat(options(context).heartbeatInterval()).isEqualTo(Duration.ofSeconds(5)));
	}

	@Test
	void heartbeatTimeoutBindsAndTakesEffect() {
		this.contextRunner.withPropertyValues("swaggersocket.heartbeat.timeout=90s")
			.run((context) -> assertThat(options(context).heartbeatTimeout()).isEqualTo(Duration.ofSeconds(90)));
	}

	@Test
	void failsToStartWhenHeartbeatTimeoutIsShorterThanInterval() {
		this.contextRunner
			.withPropertyValues("swaggersocket.heartbeat.interval=30s", "swaggersocket.heartbeat.timeout=10s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.heartbeat.timeout"));
	}

	@Test
	void failsToStartWhenHeartbeatIntervalIsZero() {
		this.contextRunner.withPropertyValues("swaggersocket.heartbeat.interval=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.heartbeat.interval"));
	}

	@Test
	void failsToStartWhenReconnectJitterIsAboveOne() {
		this.contextRunner
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL, "swaggersocket.client.reconnect.jitter=1.5")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.client.reconnect.jitter"));
	}

	@Test
	void failsToStartWhenReconnectMaxBackoffIsShorterThanInitialBackoff() {
		this.contextRunner.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL,
				"swaggersocket.client.reconnect.initial-backoff=10s", "swaggersocket.client.reconnect.max-backoff=5s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("swaggersocket.client.reconnect.max-backoff"));
	}

	@Test
	void userDefinedRegistryReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomRegistryConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketConnections.class)
				.hasBean("customConnections"));
	}

	@Test
	void userDefinedConnectionManagerReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomConnectionManagerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(ConnectionManager.class)
				.hasBean("customConnectionManager"));
	}

	@Test
	void userDefinedWebSocketHandlerReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomWebSocketHandlerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketWebSocketHandler.class)
				.hasBean("customWebSocketHandler"));
	}

	@Test
	void userDefinedHandlerMappingReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomHandlerMappingConfiguration.class).run((context) -> {
			HandlerMapping mapping = context.getBean("swaggerSocketHandlerMapping", HandlerMapping.class);
			assertThat(handler(mapping, "/custom")).isInstanceOf(SwaggerSocketWebSocketHandler.class);
			assertThat(handler(mapping, "/swaggersocket")).isNull();
		});
	}

	@Test
	void userDefinedClientReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomClientConfiguration.class)
			.withPropertyValues("swaggersocket.client.url=" + CLIENT_URL)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketClient.class).hasBean("customClient"));
	}

	@Test
	void userDefinedStreamHandlerReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomStreamHandlerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketStreamHandler.class)
				.hasBean("customStreamHandler"));
	}

	@Test
	void userDefinedExchangesFilterReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomExchangesConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketExchanges.class)
				.hasBean("customExchanges"));
	}

	@Test
	void userDefinedWebClientFactoryReplacesAutoConfiguredOne() {
		this.contextRunner.withUserConfiguration(CustomWebClientsConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SwaggerSocketWebClients.class)
				.hasBean("customWebClients"));
	}

	@Test
	void userDefinedHeartbeatHandlerIsUsed() {
		this.contextRunner.withUserConfiguration(CustomHeartbeatHandlerConfiguration.class)
			.run((context) -> assertThat(context.getBean(ConnectionManager.class)).extracting("heartbeatHandler")
				.isSameAs(context.getBean(SwaggerSocketHeartbeatHandler.class)));
	}

	private static ConnectionOptions options(ApplicationContext context) {
		return context.getBean(ConnectionManager.class).options();
	}

	private static ReconnectPolicy reconnectPolicy(ApplicationContext context) {
		return (ReconnectPolicy) ReflectionTestUtils.getField(context.getBean(SwaggerSocketClient.class), "reconnect");
	}

	/**
	 * Hand a GET request that a peer sent over a connection in the given role to the
	 * stream handler, as the connection would, and return the response's status.
	 */
	private static String dispatch(ApplicationContext context, ConnectionRole role, String path) {
		SwaggerSocketConnection connection = mock(SwaggerSocketConnection.class);
		given(connection.info()).willReturn(new ConnectionInfo("c1", role, Map.of(), null, null, Instant.now()));
		StatusRecorder responder = new StatusRecorder();
		StreamMessage request = new StreamMessage(List.of(new Header(":method", "GET"), new Header(":path", path)),
				Flux.empty());
		context.getBean(SwaggerSocketStreamHandler.class)
			.handle(connection, request, responder)
			.block(Duration.ofSeconds(5));
		return responder.status.get();
	}

	private static Object handler(HandlerMapping mapping, String path) {
		return mapping.getHandler(exchange(path)).block(Duration.ofSeconds(1));
	}

	/**
	 * The handler the DispatcherHandler would pick: the first match in handler mapping
	 * order.
	 */
	private static Object dispatchedHandler(ApplicationContext context, String path) {
		ServerWebExchange exchange = exchange(path);
		return Flux.fromIterable(context.getBean(DispatcherHandler.class).getHandlerMappings())
			.concatMap((mapping) -> mapping.getHandler(exchange))
			.next()
			.block(Duration.ofSeconds(1));
	}

	private static ServerWebExchange exchange(String path) {
		return MockServerWebExchange.from(MockServerHttpRequest.get(path));
	}

	@Configuration(proxyBeanMethods = false)
	static class ClashingRouteConfiguration {

		@Bean
		RouterFunction<ServerResponse> clashingRoute() {
			return RouterFunctions.route()
				.GET("/swaggersocket", (request) -> ServerResponse.ok().bodyValue("not the endpoint"))
				.build();
		}

	}

	/** An application whose HTTP API answers 200 to everything. */
	@Configuration(proxyBeanMethods = false)
	static class HttpApiConfiguration {

		@Bean
		HttpHandler httpHandler() {
			return (request, response) -> {
				response.setStatusCode(HttpStatus.OK);
				return response.setComplete();
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomRegistryConfiguration {

		@Bean
		SwaggerSocketConnections customConnections() {
			return new SwaggerSocketConnections();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomConnectionManagerConfiguration {

		@Bean
		ConnectionManager customConnectionManager(SwaggerSocketConnections connections,
				ApplicationEventPublisher eventPublisher, SwaggerSocketStreamHandler streamHandler) {
			ConnectionOptions options = new ConnectionOptions(ConnectionSettings.DEFAULTS, Duration.ofSeconds(5),
					Duration.ofSeconds(5), Duration.ofSeconds(15), 16 * 1024);
			return new ConnectionManager(options, connections, eventPublisher, new SwaggerSocketHeartbeatHandler() {
			}, streamHandler);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomWebSocketHandlerConfiguration {

		@Bean
		SwaggerSocketWebSocketHandler customWebSocketHandler(ConnectionManager connectionManager) {
			return new SwaggerSocketWebSocketHandler(connectionManager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomHandlerMappingConfiguration {

		@Bean
		SimpleUrlHandlerMapping swaggerSocketHandlerMapping(ConnectionManager connectionManager) {
			return new SimpleUrlHandlerMapping(Map.of("/custom", new SwaggerSocketWebSocketHandler(connectionManager)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomClientConfiguration {

		@Bean
		SwaggerSocketClient customClient(ConnectionManager connectionManager) {
			return new SwaggerSocketClient(URI.create(CLIENT_URL), Map::of, HttpHeaders::new,
					new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0), connectionManager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomStreamHandlerConfiguration {

		@Bean
		SwaggerSocketStreamHandler customStreamHandler() {
			return (connection, request, responder) -> {
				responder.reset(ErrorCode.REFUSED_STREAM);
				return Mono.empty();
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomExchangesConfiguration {

		@Bean
		SwaggerSocketExchanges customExchanges() {
			return new SwaggerSocketExchanges();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomWebClientsConfiguration {

		@Bean
		SwaggerSocketWebClients customWebClients(SwaggerSocketConnections connections) {
			return new SwaggerSocketWebClients(connections, WebClient::builder, () -> null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomHeartbeatHandlerConfiguration {

		@Bean
		SwaggerSocketHeartbeatHandler customHeartbeatHandler() {
			return new SwaggerSocketHeartbeatHandler() {
			};
		}

	}

	/** Records the {@code :status} a stream handler answers with. */
	private static final class StatusRecorder implements StreamResponder {

		private final AtomicReference<String> status = new AtomicReference<>();

		@Override
		public Mono<Void> respond(List<Header> headers, Publisher<? extends DataBuffer> body) {
			headers.stream()
				.filter((header) -> header.name().equals(":status"))
				.findFirst()
				.ifPresent((header) -> this.status.set(header.value()));
			return Flux.from(body).doOnNext(DataBufferUtils::release).then();
		}

		@Override
		public void reset(ErrorCode errorCode) {
			this.status.set("reset " + errorCode);
		}

	}

}
