package io.swaggersocket.sample;

import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketClosedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * The sample: one hub and two agents in one JVM, each its own Spring Boot application with its
 * own port. The hub accepts the agents' sockets; each agent dials the hub on start-up.
 */
@SpringBootApplication
public class SampleApplication {

	private static final Log logger = LogFactory.getLog(SampleApplication.class);

	/** Agent names and regions started next to the hub. */
	static final List<String[]> AGENTS = List.of(new String[] { "agent-1", "eu-west" },
			new String[] { "agent-2", "us-east" });

	public static void main(String[] args) {
		start(args);
	}

	/**
	 * Start the hub, then the agents pointed at the hub's actual port.
	 * @param args command-line arguments, applied to every application
	 * @return the contexts, hub first
	 */
	static List<ConfigurableApplicationContext> start(String... args) {
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		ConfigurableApplicationContext hub = new SpringApplicationBuilder(SampleApplication.class).profiles("hub")
			.run(args);
		contexts.add(hub);
		String hubPort = hub.getEnvironment().getRequiredProperty("local.server.port");
		for (String[] agent : AGENTS) {
			contexts.add(new SpringApplicationBuilder(SampleApplication.class).profiles("agent")
				.properties("swaggersocket.client.url=ws://localhost:" + hubPort + "/swaggersocket",
						"swaggersocket.client.metadata.name=" + agent[0], "swaggersocket.client.metadata.region=" + agent[1],
						"spring.application.name=" + agent[0])
				.run(args));
		}
		return contexts;
	}

	@EventListener
	void connected(SwaggerSocketConnectedEvent event) {
		logger.info("Connected " + event.getInfo().role() + " " + event.getInfo().id() + " " + event.getInfo().metadata());
	}

	@EventListener
	void closed(SwaggerSocketClosedEvent event) {
		logger.info("Closed " + event.getInfo().id());
	}

	@EventListener
	void failed(SwaggerSocketFailedEvent event) {
		logger.info("Failed " + event.getInfo().id() + ": " + event.getReason() + " " + event.getDetail());
	}

}
