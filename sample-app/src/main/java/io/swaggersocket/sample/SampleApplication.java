package io.swaggersocket.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketClosedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import io.swaggersocket.sample.legacy.LegacyService;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The sample: one hub and two agents in one JVM, each its own Spring Boot application
 * with its own port and its own beans (profile {@code hub} or {@code agent}). The hub
 * accepts the agents' sockets; each agent dials the hub on start-up. One JVM keeps the
 * README's run command to one line; nothing is shared between the applications but the
 * process, so each could as well run on its own machine. With profile {@code cluster} as
 * well, the hub is one of several that share a directory of their agents in Redis
 * (application-cluster.yml); each hub starts its own agents, named by its
 * {@code sample.agents}. Next to the first agent runs a legacy service, a plain HTTP
 * server, that the agent routes {@code /legacy/**} to.
 */
@SpringBootApplication
public class SampleApplication {

	private static final Log logger = LogFactory.getLog(SampleApplication.class);

	private final String name;

	SampleApplication(Environment environment) {
		this.name = environment.getProperty("spring.application.name", "application");
	}

	public static void main(String[] args) {
		List<ConfigurableApplicationContext> contexts = start(args);
		// one hook for all three, so that on Ctrl-C the agents stop before the hub rather
		// than
		// dialing it again while it goes away
		Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(contexts), "sample-shutdown"));
	}

	/**
	 * Start the hub, then the agents pointed at the hub's actual address and port.
	 * @param args command-line arguments, applied to every application except that
	 * {@code --server.port} is the hub's: agents always take a free port
	 * @return the contexts, hub first
	 */
	public static List<ConfigurableApplicationContext> start(String... args) {
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		ConfigurableApplicationContext hub = new SpringApplicationBuilder(SampleApplication.class).profiles("hub")
			.registerShutdownHook(false)
			.run(args);
		contexts.add(hub);
		String hubAddress = hub.getEnvironment().getProperty("server.address", "localhost");
		String hubPort = hub.getEnvironment().getRequiredProperty("local.server.port");
		String[] agentArgs = Arrays.stream(args)
			.filter((arg) -> !arg.startsWith("--server.port="))
			.toArray(String[]::new);
		List<Agent> agents = agents(hub.getEnvironment());
		for (Agent agent : agents) {
			SpringApplicationBuilder builder = new SpringApplicationBuilder(SampleApplication.class).profiles("agent")
				.registerShutdownHook(false)
				.properties("swaggersocket.client.url=ws://" + hubAddress + ":" + hubPort + "/swaggersocket",
						"swaggersocket.client.metadata.name=" + agent.name(),
						"swaggersocket.client.metadata.region=" + agent.region(),
						"spring.application.name=" + agent.name());
			if (agent.equals(agents.get(0))) {
				withLegacyService(builder, agent);
			}
			contexts.add(builder.run(agentArgs));
		}
		return contexts;
	}

	/**
	 * Start a legacy service next to an agent (a plain HTTP server, no Spring) and route
	 * the agent's {@code /legacy/**} to it; the service stops with the agent.
	 */
	private static void withLegacyService(SpringApplicationBuilder agentBuilder, Agent agent) {
		LegacyService legacy = LegacyService.start(agent.name());
		agentBuilder
			.properties("swaggersocket.client.routes[0].path=/legacy/**",
					"swaggersocket.client.routes[0].uri=" + legacy.baseUri(),
					"swaggersocket.client.routes[0].strip-prefix=true")
			.listeners((ApplicationEvent event) -> {
				if (event instanceof ContextClosedEvent || event instanceof ApplicationFailedEvent) {
					legacy.stop();
				}
			});
	}

	/**
	 * The agents to start next to the hub: its property {@code sample.agents}, a list of
	 * {@code name:region}.
	 * @param hub the hub's environment
	 * @return the agents, in the order given
	 */
	static List<Agent> agents(Environment hub) {
		String[] agents = hub.getProperty("sample.agents", String[].class, new String[0]);
		return Arrays.stream(agents).map(String::trim).filter((agent) -> !agent.isEmpty()).map(Agent::parse).toList();
	}

	/**
	 * Stop what {@link #start} started. The agents go first, so that they do not dial
	 * again a hub that is already gone.
	 * @param contexts the contexts, hub first
	 */
	public static void stop(List<ConfigurableApplicationContext> contexts) {
		for (int i = contexts.size() - 1; i >= 0; i--) {
			if (contexts.get(i).isActive()) {
				SpringApplication.exit(contexts.get(i));
			}
		}
	}

	/**
	 * Event loops of this application's own. By default every application in a JVM uses
	 * Reactor Netty's global ones, and the first to stop disposes of them, pulling the
	 * others' server and sockets from under them.
	 * @return the resource factory for this application's server and clients
	 */
	@Bean
	ReactorResourceFactory reactorResourceFactory() {
		ReactorResourceFactory resources = new ReactorResourceFactory();
		resources.setUseGlobalResources(false);
		// the web server has drained its requests by the time the loops stop: no need to
		// linger
		resources.setShutdownQuietPeriod(Duration.ZERO);
		return resources;
	}

	@EventListener
	void connected(SwaggerSocketConnectedEvent event) {
		logger.info(this.name + ": connected " + event.getInfo().role() + " " + event.getInfo().id() + " "
				+ event.getInfo().metadata());
	}

	@EventListener
	void closed(SwaggerSocketClosedEvent event) {
		logger.info(this.name + ": closed " + event.getInfo().id());
	}

	@EventListener
	void failed(SwaggerSocketFailedEvent event) {
		logger
			.info(this.name + ": failed " + event.getInfo().id() + ": " + event.getReason() + " " + event.getDetail());
	}

	/**
	 * One agent of the sample.
	 *
	 * @param name the agent's name, unique among the agents
	 * @param region where the agent pretends to run
	 */
	record Agent(String name, String region) {

		static Agent parse(String nameAndRegion) {
			int colon = nameAndRegion.indexOf(':');
			if (colon <= 0 || colon == nameAndRegion.length() - 1) {
				throw new IllegalArgumentException(
						"sample.agents: expected name:region, for example agent-3:ap-south, not '" + nameAndRegion
								+ "'");
			}
			return new Agent(nameAndRegion.substring(0, colon).trim(), nameAndRegion.substring(colon + 1).trim());
		}

	}

}
