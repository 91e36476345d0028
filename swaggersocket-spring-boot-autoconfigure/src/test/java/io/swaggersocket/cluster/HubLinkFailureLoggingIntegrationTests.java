package io.swaggersocket.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub that cannot dial a link back to a hub that dialed it (the URL that hub advertises
 * is not reachable from here) says so at WARN, once per streak of failures, with the
 * hub's id, its URL and the reason; and at INFO once a link to that URL is established
 * again. Hub B advertises a closed local port; hub A holds the agent that hub B calls,
 * and so is the one that dials back.
 */
@ExtendWith(OutputCaptureExtension.class)
class HubLinkFailureLoggingIntegrationTests {

	private static final Duration NO_HANG = Duration.ofSeconds(30);

	private static final String WARNED = "Could not dial a link back to hub hub-b at ";

	private final TestApplications apps = new TestApplications();

	private ClusterHubs cluster;

	private ConfigurableApplicationContext hubA;

	private ClusterHubs.Agent agent;

	private int closedPort;

	private URI advertised;

	@BeforeEach
	void start() throws IOException {
		this.closedPort = closedPort();
		this.advertised = URI.create("http://127.0.0.1:" + this.closedPort);
		this.cluster = new ClusterHubs(this.apps);
		this.hubA = this.cluster.hub("hub-a");
		this.agent = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
	}

	@AfterEach
	void stop() {
		this.apps.close();
	}

	@Test
	void aLinkBackThatCannotBeDialedIsWarnedOncePerStreakWithTheHubItsUrlAndTheReason(CapturedOutput output) {
		ConfigurableApplicationContext hubB = this.cluster.hub("hub-b",
				"swaggersocket.cluster.advertised-url=" + this.advertised);
		HubLinks linksOfA = this.hubA.getBean(HubLinks.class);

		String warning = WARNED + this.advertised + " (";

		assertThat(echo(hubB)).isEqualTo(200);
		await().atMost(NO_HANG).until(() -> output.getOut().contains(warning));
		// hub B dials again, and hub A tries once more to dial back
		servedLink(linksOfA).close(Duration.ofSeconds(10)).block(NO_HANG);
		assertThat(echo(hubB)).isEqualTo(200);
		await().atMost(NO_HANG).until(() -> linksOfA.failedDials(this.advertised) == 2);

		assertThat(StringUtils.countOccurrencesOf(output.getOut(), WARNED)).isOne();
		assertThat(output.getOut().lines().filter((line) -> line.contains(warning)).toList()).singleElement()
			.asString()
			.contains("WARN", "Connection refused", "swaggersocket.cluster.advertised-url");
	}

	@Test
	void aLinkToAHubWhoseDialsFailedIsLoggedAtInfoOnceItIsEstablished(CapturedOutput output) {
		ConfigurableApplicationContext wrong = this.cluster.hub("hub-b",
				"swaggersocket.cluster.advertised-url=" + this.advertised);
		HubLinks linksOfA = this.hubA.getBean(HubLinks.class);
		assertThat(echo(wrong)).isEqualTo(200);
		await().atMost(NO_HANG).until(() -> linksOfA.failedDials(this.advertised) == 1);
		wrong.close();

		// hub B restarted where it says it is
		ConfigurableApplicationContext hubB = this.cluster.hub("hub-b", "server.port=" + this.closedPort,
				"swaggersocket.cluster.advertised-url=" + this.advertised);
		assertThat(echo(hubB)).isEqualTo(200);

		await().atMost(NO_HANG)
			.until(() -> linksOfA.connections()
				.stream()
				.anyMatch((link) -> link.info().role() == ConnectionRole.CLIENT && link.isOpen()));
		assertThat(linksOfA.failedDials(this.advertised)).isZero();
		String established = "Link to hub hub-b at " + this.advertised + " established after 1 failed dial";
		assertThat(output.getOut().lines().filter((line) -> line.contains(established)).toList()).singleElement()
			.asString()
			.contains("INFO");
	}

	private int echo(ConfigurableApplicationContext hub) {
		return ClusterHubs.http(hub)
			.get()
			.uri("/peers/{id}/fn/echo?q=x", this.agent.id())
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
			.block(NO_HANG);
	}

	/** The one open link another hub dialed to this hub. */
	private static SwaggerSocketConnection servedLink(HubLinks links) {
		return assertThat(links.connections())
			.filteredOn((link) -> link.info().role() == ConnectionRole.SERVER && link.isOpen())
			.singleElement()
			.actual();
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
