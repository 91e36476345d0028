package io.swaggersocket.cluster;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestClusterDirectory;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The links between hubs: calls from one hub to another share one SwaggerSocket
 * connection, which is no agent; the cluster path upgrades only with the secret; a link
 * that goes away is replaced without failing the calls that arrive meanwhile.
 */
class HubLinksIntegrationTests {

	private static final Duration NO_HANG = Duration.ofSeconds(30);

	private final TestApplications apps = new TestApplications();

	private ConfigurableApplicationContext hubA;

	private ConfigurableApplicationContext hubB;

	private ClusterHubs.Agent agent;

	private ClusterHubs cluster;

	@BeforeEach
	void start() {
		this.cluster = new ClusterHubs(this.apps);
		this.hubA = this.cluster.hub("hub-a");
		this.hubB = this.cluster.hub("hub-b");
		this.agent = this.cluster.agent(this.hubA, AgentProbe.SOURCE);
	}

	@AfterEach
	void stop() {
		this.apps.close();
	}

	@Test
	void callsToAnotherHubShareOneLinkThatIsNoAgent() {
		List<Integer> statuses = Flux.range(0, 200).flatMap((i) -> echo(i), 64).collectList().block(NO_HANG);

		assertThat(statuses).hasSize(200).containsOnly(200);
		SwaggerSocketConnection dialed = link(this.hubB, ConnectionRole.CLIENT);
		assertThat(dialed.statistics().requestsOutbound()).isEqualTo(200);
		assertThat(link(this.hubA, ConnectionRole.SERVER).info().metadata()).containsEntry("swaggersocket.hub", "hub-b")
			.containsEntry("swaggersocket.hub-url", TestClusterDirectory.url(this.hubB).toString());
		// hub A dialed one back, for the calls from hub B that send large bodies
		SwaggerSocketConnection dialedBack = awaitLink(this.hubB, ConnectionRole.SERVER);
		assertThat(dialedBack.info().metadata()).containsEntry("swaggersocket.hub", "hub-a");
		assertThat(dialedBack.statistics().requestsOutbound()).isZero();
		assertThat(this.hubA.getBean(HubLinks.class).connections()).hasSize(2);
		assertThat(this.hubB.getBean(HubLinks.class).connections()).hasSize(2);
		assertThat(TestApplications.registry(this.hubA).list()).extracting(SwaggerSocketConnection::id)
			.containsExactly(this.agent.id());
		assertThat(TestApplications.registry(this.hubB).list()).isEmpty();
		assertThat(this.hubA.getBean(ConnectionDirectory.class).list().collectList().block(NO_HANG))
			.extracting(ConnectionLocation::connectionId)
			.containsExactly(this.agent.id());
		assertThat(TestApplications.events(this.hubA).events(SwaggerSocketConnectedEvent.class)).hasSize(1);
		assertThat(TestApplications.events(this.hubB).events(SwaggerSocketConnectedEvent.class)).isEmpty();
	}

	/**
	 * A WebSocket client masks what it sends: a large request body travels on the link
	 * the owning hub dialed, where the calling hub is the server and sends unmasked; a
	 * call without one stays on the calling hub's own link, where the answer flows from
	 * server to client.
	 */
	@Test
	void aLargeRequestBodyTravelsOnTheLinkTheOwningHubDialedBack() {
		assertThat(echo(0).block(NO_HANG)).isEqualTo(200);
		SwaggerSocketConnection dialed = link(this.hubB, ConnectionRole.CLIENT);
		SwaggerSocketConnection dialedBack = awaitLink(this.hubB, ConnectionRole.SERVER);
		long size = 4L * 1024 * 1024;

		Map<String, Object> streamed = upload(TestEndpoints.pattern(size), -1);
		Map<String, Object> declared = upload(TestEndpoints.pattern(size), size);
		Map<String, Object> small = upload(TestEndpoints.pattern(1024), 1024);

		assertThat(streamed).containsEntry("sha256", TestEndpoints.sha256Hex(size));
		assertThat(declared).containsEntry("sha256", TestEndpoints.sha256Hex(size));
		assertThat(small).containsEntry("sha256", TestEndpoints.sha256Hex(1024));
		assertThat(dialedBack.statistics().requestsOutbound()).isEqualTo(2);
		assertThat(dialedBack.statistics().bytesOutbound()).isGreaterThan(2 * size);
		assertThat(dialed.statistics().requestsOutbound()).isEqualTo(2);
		assertThat(dialed.statistics().bytesOutbound()).isLessThan(64 * 1024);
	}

	@Test
	void theClusterPathUpgradesToALinkOnlyWithTheSecret() {
		assertThat(upgradeRefusal(new HttpHeaders())).isEqualTo(401);
		HttpHeaders wrong = new HttpHeaders();
		wrong.set(ClusterForwarder.SECRET_HEADER, "not-the-secret");
		assertThat(upgradeRefusal(wrong)).isEqualTo(403);
		assertThat(this.hubA.getBean(HubLinks.class).connections()).isEmpty();
		assertThat(TestApplications.registry(this.hubA).list()).extracting(SwaggerSocketConnection::id)
			.containsExactly(this.agent.id());
	}

	@Test
	void aLinkThatGoesAwayIsReplacedWithoutFailingCalls() {
		assertThat(echo(0).block(NO_HANG)).isEqualTo(200);
		SwaggerSocketConnection first = link(this.hubB, ConnectionRole.CLIENT);

		Mono<List<Integer>> calls = Flux.range(1, 400).flatMap((i) -> echo(i), 16).collectList().cache();
		calls.subscribe();
		// hub A sends GOAWAY on the link while calls keep coming from hub B
		link(this.hubA, ConnectionRole.SERVER).close(Duration.ofSeconds(10)).block(NO_HANG);

		assertThat(calls.block(NO_HANG)).hasSize(400).containsOnly(200);
		await().atMost(NO_HANG).until(() -> !first.isOpen());
		assertThat(echo(401).block(NO_HANG)).isEqualTo(200);
		assertThat(link(this.hubB, ConnectionRole.CLIENT).id()).isNotEqualTo(first.id());
	}

	/**
	 * A call the link refused unprocessed goes again: hub A announced GOAWAY on the link,
	 * and hub B, which had not heard of it yet (hub A's side of the link is held up),
	 * opened the call's stream on it. The call is looked up afresh and sent on a fresh
	 * link.
	 */
	@Test
	void aCallTheLinkRefusedUnprocessedGoesAgainOnAFreshLink() throws IOException {
		aCallTheLinkRefusesGoesAgain(() -> echo(1));
	}

	/** The same for a call from hub B's {@code WebClient} for the agent. */
	@Test
	void aWebClientCallTheLinkRefusedUnprocessedGoesAgainOnAFreshLink() throws IOException {
		aCallTheLinkRefusesGoesAgain(() -> this.hubB.getBean(SwaggerSocketWebClients.class)
			.webClient(this.agent.id())
			.get()
			.uri("/fn/echo?q=1")
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())));
	}

	private void aCallTheLinkRefusesGoesAgain(Supplier<Mono<Integer>> refusedCall) throws IOException {
		try (FreezableTcpProxy proxy = new FreezableTcpProxy(TestApplications.port(this.hubA))) {
			URI throughProxy = URI.create("http://127.0.0.1:" + proxy.port());
			this.cluster.directory().answerOnce(this.agent.id(), "hub-a", throughProxy);
			assertThat(echo(0).block(NO_HANG)).isEqualTo(200);
			// hub B's link through the proxy, which carried the call (hub B also dials
			// hub A's own URL back, once hub A has dialed a link to hub B)
			SwaggerSocketConnection refusing = usedLink(this.hubB);
			SwaggerSocketConnection refusingOnA = assertThat(this.hubA.getBean(HubLinks.class).connections())
				.filteredOn((link) -> link.statistics().requestsInbound() > 0)
				.singleElement()
				.actual();
			proxy.freezeToClients();
			refusingOnA.close(Duration.ofSeconds(10)).subscribe();
			// hub A announced GOAWAY (with no call in flight, it closes right after)
			refusingOnA.goingAway().block(NO_HANG);
			long sent = proxy.bytesToTarget();
			int lookUps = this.cluster.directory().lookUps();

			this.cluster.directory().answerOnce(this.agent.id(), "hub-a", throughProxy);
			Mono<Integer> call = refusedCall.get().cache();
			call.subscribe();
			await().atMost(NO_HANG).until(() -> proxy.bytesToTarget() > sent);
			assertThat(refusing.isGoingAway()).isFalse();
			proxy.thaw();

			assertThat(call.block(NO_HANG)).isEqualTo(200);
			assertThat(refusing.statistics().requestsOutbound()).isEqualTo(2);
			await().atMost(NO_HANG).until(() -> !refusing.isOpen());
			assertThat(usedLink(this.hubB).id()).isNotEqualTo(refusing.id());
			assertThat(this.cluster.directory().lookUps()).isEqualTo(lookUps + 2);
		}
	}

	/**
	 * A hub that takes no more links (its links stopped, as when it shuts down) was sent
	 * nothing: a call that a kept location sent there is looked up afresh and follows the
	 * connection, body and all.
	 */
	@Test
	void aHubThatTakesNoLinksIsLookedUpAfreshAndTheCallFollowsItsConnection() {
		ConfigurableApplicationContext hubC = this.cluster.hub("hub-c");
		ClusterHubs.Agent moved = this.cluster.agent(hubC, AgentProbe.SOURCE);
		this.hubA.getBean(HubLinks.class).stop();
		this.cluster.directory().answerOnce(moved.id(), "hub-a");

		Map<String, Object> answer = ClusterHubs.http(this.hubB)
			.post()
			.uri("/peers/{id}/mvc/json", moved.id())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 7))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(NO_HANG);

		assertThat(answer).containsEntry("received", Map.of("n", 7));
		assertThat(this.cluster.directory().lookUps()).isEqualTo(2);
		assertThat(AgentProbe.seen(this.agent.context())).isEmpty();
	}

	private Mono<Integer> echo(int i) {
		return ClusterHubs.http(this.hubB)
			.get()
			.uri("/peers/{id}/fn/echo?q={q}", this.agent.id(), i)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

	private Map<String, Object> upload(Flux<DataBuffer> body, long contentLength) {
		return ClusterHubs.http(this.hubB)
			.post()
			.uri("/peers/{id}/stream/upload", this.agent.id())
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.headers((headers) -> {
				if (contentLength >= 0) {
					headers.setContentLength(contentLength);
				}
			})
			.body(body, DataBuffer.class)
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(NO_HANG);
	}

	/** The one open link of a hub in the given role. */
	private static SwaggerSocketConnection link(ConfigurableApplicationContext hub, ConnectionRole role) {
		return assertThat(hub.getBean(HubLinks.class).connections()).filteredOn((link) -> link.info().role() == role)
			.singleElement()
			.actual();
	}

	/** The one open link a hub dialed that has carried a call. */
	private static SwaggerSocketConnection usedLink(ConfigurableApplicationContext hub) {
		return assertThat(hub.getBean(HubLinks.class).connections())
			.filteredOn((link) -> link.info().role() == ConnectionRole.CLIENT && link.isOpen()
					&& link.statistics().requestsOutbound() > 0)
			.singleElement()
			.actual();
	}

	private static SwaggerSocketConnection awaitLink(ConfigurableApplicationContext hub, ConnectionRole role) {
		await().atMost(NO_HANG)
			.until(() -> hub.getBean(HubLinks.class)
				.connections()
				.stream()
				.anyMatch((link) -> link.info().role() == role));
		return link(hub, role);
	}

	private int upgradeRefusal(HttpHeaders headers) {
		URI url = URI.create("ws://127.0.0.1:" + TestApplications.port(this.hubA) + "/swaggersocket-cluster");
		return assertThatExceptionOfType(WebSocketClientHandshakeException.class)
			.isThrownBy(() -> new ReactorNettyWebSocketClient().execute(url, headers, (session) -> session.close())
				.block(NO_HANG))
			.actual()
			.response()
			.status()
			.code();
	}

}
