package io.swaggersocket.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What goes wrong between hubs has a defined answer, fast: a stale directory entry (the
 * agent gone or moved) is followed once and never reaches a wrong agent, the directory
 * down is a 503 while local agents keep working, an unreachable owning hub is a 502, and
 * an agent lost mid-body cuts the outside response off.
 */
class CrossHubFaultIntegrationTests {

	/** A bound for "it does not hang", far above what any of these takes. */
	private static final Duration NO_HANG = Duration.ofSeconds(15);

	private final TestApplications apps = new TestApplications();

	private ClusterHubs cluster;

	private ConfigurableApplicationContext hubA;

	private ConfigurableApplicationContext hubB;

	private FreezableTcpProxy proxy;

	@BeforeEach
	void start() {
		this.cluster = new ClusterHubs(this.apps);
		this.hubA = this.cluster.hub("hub-a");
		this.hubB = this.cluster.hub("hub-b");
	}

	@AfterEach
	void close() throws IOException {
		this.apps.close();
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void staleEntryForAnAgentThatIsGoneIsA404AfterOneMoreLookUp() {
		ClusterHubs.Agent bystander = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
		this.cluster.directory().answerOnce("gone-agent", "hub-a");

		ResponseEntity<Map<String, Object>> response = get(this.hubB, "/peers/gone-agent/fn/echo?q=x");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(response.getBody()).containsEntry("detail", "No live connection with id 'gone-agent'");
		assertThat(this.cluster.directory().lookUps()).isEqualTo(2);
		assertThat(AgentProbe.seen(bystander.context())).isEmpty();
	}

	@Test
	void staleEntryForAnAgentThatMovedIsFollowedOnceToTheRightAgent() {
		ConfigurableApplicationContext hubC = this.cluster.hub("hub-c");
		ClusterHubs.Agent bystander = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
		ClusterHubs.Agent moved = this.cluster.agent(hubC);
		this.cluster.directory().answerOnce(moved.id(), "hub-a");

		ResponseEntity<Map<String, Object>> response = get(this.hubB, "/peers/" + moved.id() + "/fn/where");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(response.getBody()).containsEntry("connection", moved.id());
		assertThat(this.cluster.directory().lookUps()).isEqualTo(2);
		assertThat(AgentProbe.seen(bystander.context())).isEmpty();
	}

	@Test
	void staleEntryTwiceIsA404NotALoop() {
		ConfigurableApplicationContext hubC = this.cluster.hub("hub-c");
		ClusterHubs.Agent moved = this.cluster.agent(hubC);
		this.cluster.directory().answerOnce(moved.id(), "hub-a");
		this.cluster.directory().answerOnce(moved.id(), "hub-b");
		this.cluster.directory().answerOnce(moved.id(), "hub-a");

		ResponseEntity<Map<String, Object>> response = get(this.hubB, "/peers/" + moved.id() + "/fn/where");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(this.cluster.directory().lookUps()).isEqualTo(2);
	}

	@Test
	void staleEntryForARequestWithABodyIsA503ThatReachedNoAgent() {
		ConfigurableApplicationContext hubC = this.cluster.hub("hub-c");
		ClusterHubs.Agent bystander = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
		ClusterHubs.Agent moved = this.cluster.agent(hubC, AgentProbe.SOURCE);
		this.cluster.directory().answerOnce(moved.id(), "hub-a");

		ResponseEntity<Map<String, Object>> response = ClusterHubs.http(this.hubB)
			.post()
			.uri("/peers/{id}/mvc/json", moved.id())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 1))
			.exchangeToMono((answer) -> answer.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(NO_HANG);

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat((String) response.getBody().get("detail")).contains("reached no peer");
		assertThat(AgentProbe.seen(bystander.context())).isEmpty();
		assertThat(AgentProbe.seen(moved.context())).isEmpty();
	}

	@Test
	void webClientFollowsAConnectionThatMovedOnce() {
		ConfigurableApplicationContext hubC = this.cluster.hub("hub-c");
		ClusterHubs.Agent bystander = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
		ClusterHubs.Agent moved = this.cluster.agent(hubC);
		this.cluster.directory().answerOnce(moved.id(), "hub-a");

		Map<String, Object> where = this.hubB.getBean(SwaggerSocketWebClients.class)
			.webClient(moved.id())
			.post()
			.uri("/fn/json")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 2))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(NO_HANG);

		assertThat(where).containsEntry("received", Map.of("n", 2));
		assertThat(this.cluster.directory().lookUps()).isEqualTo(2);
		assertThat(AgentProbe.seen(bystander.context())).isEmpty();
	}

	@Test
	void hubsWithDifferentSecretsAnswer502AndReachNoAgent() {
		ConfigurableApplicationContext stranger = this.cluster.hub("hub-s", "swaggersocket.cluster.secret=another");
		ClusterHubs.Agent agent = this.cluster.agent(this.hubA, AgentProbe.SOURCE);

		ResponseEntity<Map<String, Object>> response = get(stranger, "/peers/" + agent.id() + "/fn/echo?q=x");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
		assertThat(response.getBody()).containsEntry("detail",
				"The hub that holds connection '" + agent.id() + "' refused the call");
		assertThat(AgentProbe.seen(agent.context())).isEmpty();
	}

	@Test
	void agentResettingItsStreamMidBodyCutsTheResponseThroughAnotherHubOff() throws Exception {
		try (RawWebSocketClient agent = RawWebSocketClient.connect(URI.create(TestApplications.socketUrl(this.hubA)),
				FrameCodec.SUBPROTOCOL);
				RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(this.hubB), NO_HANG)) {
			agent.send(new Frame.Hello("{\"metadata\":{}}"));
			Frame.Welcome welcome = (Frame.Welcome) agent.awaitFrame((frame) -> frame instanceof Frame.Welcome);
			Matcher id = Pattern.compile("\"connectionId\"\\s*:\\s*\"([^\"]+)\"").matcher(welcome.json());
			assertThat(id.find()).isTrue();
			agent.send(new Frame.Ready());
			TestApplications.events(this.hubA).await(SwaggerSocketConnectedEvent.class);
			http.sendHead("GET /peers/" + id.group(1) + "/items HTTP/1.1\r\nHost: 127.0.0.1");
			int stream = agent.awaitFrame((frame) -> frame instanceof Frame.Headers).streamId();
			agent.send(new Frame.Headers(stream, false, List.of(new Header(":status", "200"))));
			agent.send(new Frame.Data(stream, false, ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8))));
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			boolean[] injected = { false };
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
				if (count == 7 && !injected[0]) {
					injected[0] = true;
					agent.send(new Frame.Reset(stream, ErrorCode.INTERNAL_ERROR));
				}
			});
			assertThat(body.text()).isEqualTo("partial");
			assertThat(body.complete()).as("a truncated body must not end like a complete one").isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
	}

	@Test
	void directoryUnavailableIsA503WhileLocalAgentsKeepWorking() {
		ClusterHubs.Agent remote = this.cluster.agent(this.hubA);
		ClusterHubs.Agent local = this.cluster.agent(this.hubB);
		this.cluster.directory().unavailable(true);

		ResponseEntity<Map<String, Object>> response = get(this.hubB, "/peers/" + remote.id() + "/fn/echo?q=x");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).containsEntry("status", 503)
			.containsEntry("title", "Service Unavailable")
			.containsEntry("detail", "The cluster's directory is unavailable: connection '" + remote.id()
					+ "' cannot be reached from this hub");

		assertThat(get(this.hubB, "/peers/" + local.id() + "/fn/where").getBody()).containsEntry("connection",
				local.id());
		SwaggerSocketWebClients webClients = this.hubB.getBean(SwaggerSocketWebClients.class);
		assertThat(webClients.webClient(local.id())
			.get()
			.uri("/fn/echo?q=local")
			.retrieve()
			.bodyToMono(Map.class)
			.block(NO_HANG)).containsEntry("q", "local");
		assertThatThrownBy(() -> webClients.webClient(remote.id())
			.get()
			.uri("/fn/echo?q=remote")
			.retrieve()
			.bodyToMono(Map.class)
			.block(NO_HANG)).hasCauseInstanceOf(SwaggerSocketClusterUnavailableException.class);

		this.cluster.directory().unavailable(false);
		assertThat(get(this.hubB, "/peers/" + remote.id() + "/fn/where").getBody()).containsEntry("connection",
				remote.id());
	}

	@Test
	void owningHubUnreachableIsA502() throws IOException {
		URI closed = URI.create("http://127.0.0.1:" + closedPort());
		this.cluster.directory().answerOnce("elsewhere", "hub-gone", closed);

		ResponseEntity<Map<String, Object>> response = get(this.hubB, "/peers/elsewhere/fn/echo?q=x");

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat((String) response.getBody().get("detail"))
			.startsWith("The call to connection 'elsewhere' through hub 'hub-gone' failed");
	}

	@Test
	void webClientForAConnectionNoHubHoldsFailsAsAClosedConnection() {
		WebClient webClient = this.hubB.getBean(SwaggerSocketWebClients.class).webClient("nowhere");

		assertThatThrownBy(() -> webClient.get().uri("/fn/echo?q=x").retrieve().bodyToMono(Map.class).block(NO_HANG))
			.satisfies((ex) -> assertThat(Causes.root(ex)).isInstanceOf(SwaggerSocketConnectionClosedException.class));
	}

	@Test
	void agentConnectionCutMidDownloadCutsTheResponseThroughAnotherHubOff() throws Exception {
		this.proxy = new FreezableTcpProxy(TestApplications.port(this.hubA));
		ClusterHubs.Agent agent = this.cluster.agent(this.hubA, this.proxy.port());
		long large = 256L * 1024 * 1024;
		try (RawHttpConnection http = RawHttpConnection.connect(TestApplications.port(this.hubB), NO_HANG)) {
			http.sendHead(
					"GET /peers/" + agent.id() + "/stream/download?size=" + large + " HTTP/1.1\r\nHost: 127.0.0.1");
			RawHttpConnection.Head head = http.readHead();
			assertThat(head.status()).isEqualTo(200);
			boolean[] injected = { false };
			RawHttpConnection.Body body = http.readBody(head, (count) -> {
				if (count > 1024 * 1024 && !injected[0]) {
					injected[0] = true;
					try {
						this.proxy.cut();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				}
			});
			assertThat(injected[0]).isTrue();
			assertThat(body.length()).isLessThan(large);
			assertThat(body.complete()).as("a truncated body must not end like a complete one").isFalse();
			assertThat(http.isClosedByServer()).isTrue();
		}
	}

	private static ResponseEntity<Map<String, Object>> get(ConfigurableApplicationContext hub, String path) {
		return ClusterHubs.http(hub)
			.get()
			.uri(path)
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(NO_HANG);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
