package io.swaggersocket.server;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.websocket.WebsocketInbound;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.HandshakeInfo;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.AbstractWebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session upgraded by the endpoint keeps, for its whole life, only what the connection
 * needs of the upgrade request: no copy of its headers or cookies in the
 * {@link HandshakeInfo}, and Reactor Netty's own request headers cleared once upgraded.
 */
class UpgradeReleaseIntegrationTests {

	private final TestApplications apps = new TestApplications();

	private WebSocket client;

	@AfterEach
	void close() {
		if (this.client != null) {
			this.client.abort();
		}
		this.apps.close();
	}

	@Test
	void upgradedSessionKeepsNoUpgradeHeaders() throws Exception {
		ConfigurableApplicationContext server = this.apps
			.server("spring.main.sources=" + CapturingEndpoint.class.getName());
		URI uri = URI.create("ws://127.0.0.1:" + TestApplications.port(server) + "/capture?token=secret");
		this.client = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.header("X-Agent-Token", "t".repeat(200))
			.header("Cookie", "session=" + "c".repeat(200))
			.buildAsync(uri, new WebSocket.Listener() {
			})
			.join();

		WebSocketSession session = server.getBean(CapturingEndpoint.class).session.get();
		HandshakeInfo info = session.getHandshakeInfo();
		assertThat(info.getHeaders().isEmpty()).isTrue();
		assertThat(info.getCookies()).isEmpty();
		assertThat(info.getUri()).isEqualTo(URI.create("/capture"));
		assertThat(info.getRemoteAddress()).isNotNull();
		assertThat(info.getPrincipal().blockOptional(Duration.ofSeconds(5))).isEmpty();
		assertThat(inbound(session).headers().isEmpty()).isTrue();
	}

	private static WebsocketInbound inbound(WebSocketSession session) throws Exception {
		Method getDelegate = AbstractWebSocketSession.class.getDeclaredMethod("getDelegate");
		getDelegate.setAccessible(true);
		return ((ReactorNettyWebSocketSession.WebSocketConnection) getDelegate.invoke(session)).getInbound();
	}

	static class CapturingEndpoint {

		final CompletableFuture<WebSocketSession> session = new CompletableFuture<>();

		@Bean
		SimpleUrlHandlerMapping capturingHandlerMapping() {
			SwaggerSocketUpgradeHandler endpoint = new SwaggerSocketUpgradeHandler((session) -> {
				this.session.complete(session);
				return session.receive().then();
			}, 64 * 1024);
			return new SimpleUrlHandlerMapping(Map.of("/capture", endpoint), -3);
		}

	}

}
