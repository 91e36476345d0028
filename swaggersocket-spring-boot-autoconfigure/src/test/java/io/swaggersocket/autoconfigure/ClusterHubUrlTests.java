package io.swaggersocket.autoconfigure;

import java.net.InetAddress;
import java.net.URI;

import org.junit.jupiter.api.Test;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link ClusterHubUrl}.
 */
class ClusterHubUrlTests {

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void advertisedUrlWins() {
		ClusterHubUrl url = new ClusterHubUrl(URI.create("https://hub-1.internal"), this.environment);
		assertThat(url.get()).isEqualTo(URI.create("https://hub-1.internal"));
	}

	@Test
	void defaultIsHttpOnTheServerAddressAndPort() {
		this.environment.setProperty("server.address", "10.1.2.3");
		ClusterHubUrl url = new ClusterHubUrl(null, this.environment);
		url.onApplicationEvent(started(8081, null));
		assertThat(url.get()).isEqualTo(URI.create("http://10.1.2.3:8081"));
	}

	@Test
	void defaultIsHttpsWithServerSsl() {
		this.environment.setProperty("server.address", "10.1.2.3");
		this.environment.setProperty("server.ssl.bundle", "hub");
		ClusterHubUrl url = new ClusterHubUrl(null, this.environment);
		url.onApplicationEvent(started(8443, null));
		assertThat(url.get()).isEqualTo(URI.create("https://10.1.2.3:8443"));
	}

	@Test
	void defaultIsThisHostsAddressWhenTheServerListensOnAllAddresses() throws Exception {
		this.environment.setProperty("server.address", "0.0.0.0");
		ClusterHubUrl url = new ClusterHubUrl(null, this.environment);
		url.onApplicationEvent(started(8080, null));
		URI uri = url.get();
		assertThat(uri.getScheme()).isEqualTo("http");
		assertThat(uri.getPort()).isEqualTo(8080);
		assertThat(InetAddress.getByName(uri.getHost()).isAnyLocalAddress()).isFalse();
	}

	@Test
	void theManagementServersPortIsNotTheHubs() {
		this.environment.setProperty("server.address", "10.1.2.3");
		ClusterHubUrl url = new ClusterHubUrl(null, this.environment);
		url.onApplicationEvent(started(8080, null));
		url.onApplicationEvent(started(9090, "management"));
		assertThat(url.get()).isEqualTo(URI.create("http://10.1.2.3:8080"));
	}

	@Test
	void withoutAStartedServerItAsksForTheAdvertisedUrl() {
		ClusterHubUrl url = new ClusterHubUrl(null, this.environment);
		assertThatIllegalStateException().isThrownBy(url::get)
			.withMessageContaining("swaggersocket.cluster.advertised-url");
	}

	private static WebServerInitializedEvent started(int port, String namespace) {
		WebServer server = mock(WebServer.class);
		given(server.getPort()).willReturn(port);
		WebServerApplicationContext context = mock(WebServerApplicationContext.class);
		given(context.getServerNamespace()).willReturn(namespace);
		return new WebServerInitializedEvent(server) {

			@Override
			public WebServerApplicationContext getApplicationContext() {
				return context;
			}

		};
	}

}
