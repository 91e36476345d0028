package io.swaggersocket.connection;

import java.time.Duration;
import java.util.Map;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.client.SwaggerSocketMetadataCustomizer;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.test.EventRecorder;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection's life between two real applications: handshake, events, registry, close
 * and reconnect.
 */
class ConnectionLifecycleIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void closeApps() {
		this.apps.close();
	}

	@Test
	void bothSidesPublishConnectedWithTheSameIdAndTheServerSeesTheClientMetadata() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.metadata.name=agent-1", "swaggersocket.client.metadata.region=eu-west");

		SwaggerSocketConnectedEvent onServer = events(server).await(SwaggerSocketConnectedEvent.class);
		SwaggerSocketConnectedEvent onClient = events(client).await(SwaggerSocketConnectedEvent.class);

		assertThat(onServer.getInfo().id()).isNotBlank().isEqualTo(onClient.getInfo().id());
		assertThat(onServer.getInfo().role()).isEqualTo(ConnectionRole.SERVER);
		assertThat(onClient.getInfo().role()).isEqualTo(ConnectionRole.CLIENT);
		assertThat(onServer.getInfo().metadata()).containsEntry("name", "agent-1").containsEntry("region", "eu-west");
		assertThat(onServer.getInfo().remoteAddress()).isNotNull();
		assertThat(onServer.getInfo().remoteAddress().getAddress().isLoopbackAddress()).isTrue();
		assertThat(onServer.getInfo().connectedAt()).isNotNull();
		assertThat(onClient.getInfo().metadata()).isEqualTo(onServer.getInfo().metadata());
	}

	@Test
	void registryFindsTheConnectionByIdAndByMetadata() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server),
				"swaggersocket.client.metadata.name=agent-2");
		String id = events(server).await(SwaggerSocketConnectedEvent.class).getInfo().id();
		events(client).await(SwaggerSocketConnectedEvent.class);

		SwaggerSocketConnections connections = registry(server);
		assertThat(connections.list()).extracting(SwaggerSocketConnection::id).containsExactly(id);
		assertThat(connections.find(id)).get().extracting(SwaggerSocketConnection::isOpen).isEqualTo(true);
		assertThat(connections.find("no-such-id")).isEmpty();
		assertThat(connections.findByMetadata("name", "agent-2")).extracting(SwaggerSocketConnection::id)
			.containsExactly(id);
		assertThat(connections.findByMetadata("name", "agent-3")).isEmpty();
		assertThat(connections.findByMetadata((metadata) -> metadata.containsKey("name"))).hasSize(1);
		assertThat(registry(client).find(id)).isPresent();
	}

	@Test
	void metadataCustomizerBeansAddToConfiguredMetadata() {
		ConfigurableApplicationContext server = this.apps.server();
		this.apps.client(socketUrl(server), "swaggersocket.client.metadata.name=agent-4",
				"spring.main.sources=" + NestedMetadataCustomizer.class.getName());

		SwaggerSocketConnectedEvent onServer = events(server).await(SwaggerSocketConnectedEvent.class);

		assertThat(onServer.getInfo().metadata()).containsEntry("name", "agent-4")
			.containsEntry("labels", Map.of("tier", "edge"));
	}

	@Test
	void clientShutdownClosesTheConnectionOnBothSidesAndEmptiesTheRegistries() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		String id = events(server).await(SwaggerSocketConnectedEvent.class).getInfo().id();
		EventRecorder clientEvents = events(client);
		clientEvents.await(SwaggerSocketConnectedEvent.class);
		SwaggerSocketConnections clientRegistry = registry(client);

		client.close();

		SwaggerSocketClosedEvent onServer = events(server).await(SwaggerSocketClosedEvent.class);
		assertThat(onServer.getInfo().id()).isEqualTo(id);
		assertThat(onServer.getCloseCode()).isEqualTo(CloseCodes.NORMAL);
		assertThat(onServer.isClosedLocally()).isFalse();
		SwaggerSocketClosedEvent onClient = clientEvents.await(SwaggerSocketClosedEvent.class);
		assertThat(onClient.getInfo().id()).isEqualTo(id);
		assertThat(onClient.isClosedLocally()).isTrue();
		assertThat(registry(server).list()).isEmpty();
		assertThat(clientRegistry.list()).isEmpty();
		assertThat(events(server).events(SwaggerSocketFailedEvent.class)).isEmpty();
		assertThat(clientEvents.events(SwaggerSocketFailedEvent.class)).isEmpty();
	}

	@Test
	void connectionLeavesTheRegistryBeforeItsClosedEvent() {
		ConfigurableApplicationContext server = this.apps.server();
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		SwaggerSocketConnection connection = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		SwaggerSocketConnections serverRegistry = registry(server);
		java.util.concurrent.atomic.AtomicReference<Boolean> listedDuringEvent = new java.util.concurrent.atomic.AtomicReference<>();
		server.addApplicationListener(
				(org.springframework.context.ApplicationListener<SwaggerSocketClosedEvent>) (event) -> listedDuringEvent
					.set(serverRegistry.find(event.getInfo().id()).isPresent()));

		connection.close().block(Duration.ofSeconds(5));

		await().atMost(Duration.ofSeconds(5)).until(() -> listedDuringEvent.get() != null);
		assertThat(listedDuringEvent.get()).isFalse();
		assertThat(connection.isOpen()).isFalse();
		assertThat(events(server).events(SwaggerSocketClosedEvent.class)).hasSize(1);
	}

	@Test
	void clientReconnectsWithANewIdWhenTheServerComesBackOnTheSamePort() {
		ConfigurableApplicationContext server = this.apps.server();
		int port = TestApplications.port(server);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		EventRecorder clientEvents = events(client);
		String firstId = clientEvents.await(SwaggerSocketConnectedEvent.class).getInfo().id();

		server.close();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> clientEvents.events(SwaggerSocketClosedEvent.class).size()
					+ clientEvents.events(SwaggerSocketFailedEvent.class).size() == 1);
		assertThat(client.getBean(SwaggerSocketClient.class).getConnection()).isEmpty();
		assertThat(registry(client).list()).isEmpty();

		ConfigurableApplicationContext restarted = this.apps.serverOnPort(port);

		SwaggerSocketConnectedEvent reconnected = clientEvents.await(SwaggerSocketConnectedEvent.class, 2,
				Duration.ofSeconds(15));
		assertThat(reconnected.getInfo().id()).isNotEqualTo(firstId);
		assertThat(events(restarted).await(SwaggerSocketConnectedEvent.class).getInfo().id())
			.isEqualTo(reconnected.getInfo().id());
		assertThat(client.getBean(SwaggerSocketClient.class).getConnection()).get()
			.extracting(SwaggerSocketConnection::id)
			.isEqualTo(reconnected.getInfo().id());
	}

	static class NestedMetadataCustomizer {

		@org.springframework.context.annotation.Bean
		SwaggerSocketMetadataCustomizer labels() {
			return (metadata) -> metadata.put("labels", Map.of("tier", "edge"));
		}

	}

}
