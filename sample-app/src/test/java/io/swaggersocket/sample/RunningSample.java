package io.swaggersocket.sample;

import java.time.Duration;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnections;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.awaitility.Awaitility.await;

/**
 * The sample as the README's run command starts it, a hub and its two agents, but on
 * loopback and ephemeral ports. Start it once per test class and close it at the end:
 * starting the applications is what costs the time.
 */
final class RunningSample implements AutoCloseable {

	private final List<ConfigurableApplicationContext> contexts;

	private RunningSample(List<ConfigurableApplicationContext> contexts) {
		this.contexts = contexts;
	}

	/**
	 * Start the sample and wait until both agents are connected to the hub.
	 * @return the running sample
	 */
	static RunningSample start() {
		return start("--server.port=0", "--server.address=127.0.0.1");
	}

	/**
	 * Start the sample with the given arguments and wait until the hub's agents are
	 * connected to it.
	 * @param args the command-line arguments, as for {@link SampleApplication#start}
	 * @return the running sample
	 */
	static RunningSample start(String... args) {
		RunningSample sample = new RunningSample(SampleApplication.start(args));
		int agents = SampleApplication.agents(sample.hub().getEnvironment()).size();
		await().atMost(Duration.ofSeconds(10)).until(() -> sample.hubConnections().size() == agents);
		return sample;
	}

	ConfigurableApplicationContext hub() {
		return this.contexts.get(0);
	}

	int hubPort() {
		return Integer.parseInt(hub().getEnvironment().getRequiredProperty("local.server.port"));
	}

	String hubUrl() {
		return "http://127.0.0.1:" + hubPort();
	}

	WebTestClient hubClient() {
		return WebTestClient.bindToServer().baseUrl(hubUrl()).responseTimeout(Duration.ofSeconds(10)).build();
	}

	SwaggerSocketConnections hubConnections() {
		return hub().getBean(SwaggerSocketConnections.class);
	}

	/** The hub's end of the named agent's connection. */
	SwaggerSocketConnection agentConnection(String name) {
		return hubConnections().findByMetadata("name", name)
			.stream()
			.filter(SwaggerSocketConnection::isOpen)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No connection from " + name));
	}

	@Override
	public void close() {
		SampleApplication.stop(this.contexts);
	}

}
