package io.swaggersocket.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.ClusterHubs;
import io.swaggersocket.test.LargeTransfers;
import io.swaggersocket.test.ParityCases;
import io.swaggersocket.test.ParityCases.Case;
import io.swaggersocket.test.RedisServer;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway of any hub reaches an agent that another hub holds: through hub B to an
 * agent on hub A, the answer is the one hub A's own gateway gives, bodies stream both
 * ways with bounded heap, and the outside caller's cancel reaches the agent's handler.
 */
class CrossHubGatewayIntegrationTests {

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hubA;

	private static ConfigurableApplicationContext hubB;

	private static ClusterHubs.Agent agent;

	private static RedisServer redis;

	@BeforeAll
	static void start() {
		redis = RedisServer.startOnFreePort();
		ClusterHubs cluster = ClusterHubs.onRedis(apps, redis);
		hubA = cluster.hub("hub-a");
		hubB = cluster.hub("hub-b");
		agent = cluster.agent(hubA, AgentProbe.SOURCE);
	}

	@AfterAll
	static void stop() {
		apps.close();
		redis.close();
	}

	static Stream<Case> cases() {
		List<Case> cases = new ArrayList<>(ParityCases.cases());
		cases.add(new Case("Boot error page", HttpMethod.GET, "/mvc/echo", new HttpHeaders(), null));
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases")
	void anotherHubsGatewayAnswersLikeTheOwningHubs(Case c) {
		ResponseEntity<byte[]> viaOwner = call(ClusterHubs.http(hubA), c);
		ResponseEntity<byte[]> viaOther = call(ClusterHubs.http(hubB), c);

		assertThat(viaOther.getStatusCode()).isEqualTo(viaOwner.getStatusCode());
		Map<String, List<String>> otherHeaders = ParityCases.comparable(viaOther.getHeaders());
		Map<String, List<String>> ownerHeaders = ParityCases.comparable(viaOwner.getHeaders());
		if (viaOwner.getStatusCode().isError()
				&& MediaType.APPLICATION_JSON.isCompatibleWith(viaOwner.getHeaders().getContentType())) {
			// Boot's error attributes name the moment, in a text whose length varies
			otherHeaders.remove("content-length");
			ownerHeaders.remove("content-length");
		}
		assertThat(otherHeaders).isEqualTo(ownerHeaders);
		assertThat(withoutPerRequestFields(viaOther)).isEqualTo(withoutPerRequestFields(viaOwner));
		assertThat(viaOther.getHeaders().getFirst("X-Filtered")).isEqualTo("yes");
	}

	@Test
	void theAgentSeesTheSameRequestThroughEitherHub() {
		Map<String, Object> viaOwner = probe(ClusterHubs.http(hubA));
		Map<String, Object> viaOther = probe(ClusterHubs.http(hubB));

		assertThat(viaOther).isEqualTo(viaOwner);
		assertThat(viaOther).containsEntry("uri", "http://swaggersocket/probe/request?x=1");
		assertThat((Map<String, Object>) viaOther.get("headers"))
			.containsEntry("x-forwarded-prefix", "/peers/" + agent.id())
			.containsEntry("x-custom", "custom-value")
			.doesNotContainKeys("host", "x-swaggersocket-cluster-secret");
	}

	@Test
	void streamsA256MiBDownloadThroughTwoHubsWithBoundedHeap() {
		assertThat(LargeTransfers.download(ClusterHubs.http(hubB), "/peers/{id}/stream/download?size={size}",
				agent.id(), LargeTransfers.SIZE))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void streamsA256MiBUploadThroughTwoHubsWithBoundedHeap() {
		assertThat(LargeTransfers.upload(ClusterHubs.http(hubB), "/peers/{id}/stream/upload", agent.id()))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void outsideCallerCancellingMidBodyCancelsTheAgentsHandler() {
		TestEndpoints.signals.clear();
		List<String> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
		Disposable call = ClusterHubs.http(hubB)
			.get()
			.uri("/peers/{id}/stream/endless", agent.id())
			.retrieve()
			.bodyToFlux(String.class)
			.subscribe(ticks::add);
		await().atMost(Duration.ofSeconds(10)).until(() -> ticks.size() >= 3);
		assertThat(agent.connection().activeStreams()).isEqualTo(1);

		call.dispose();

		await().atMost(Duration.ofSeconds(10)).until(() -> TestEndpoints.signals.contains("endless cancelled"));
		await().atMost(Duration.ofSeconds(10)).until(() -> agent.connection().activeStreams() == 0);
	}

	@Test
	void outsideCallerCancellingMidUploadInterruptsTheAgentsHandler() {
		TestEndpoints.signals.clear();
		java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
		Disposable call = ClusterHubs.http(hubB)
			.post()
			.uri("/peers/{id}/stream/upload", agent.id())
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(TestEndpoints.pattern(LargeTransfers.SIZE)
				.doOnNext((buffer) -> sent.addAndGet(buffer.readableByteCount())), DataBuffer.class)
			.retrieve()
			.bodyToMono(String.class)
			.subscribe();
		await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > 4 * 1024 * 1024);

		call.dispose();

		await().atMost(Duration.ofSeconds(10)).until(() -> TestEndpoints.signals.contains("upload interrupted"));
		await().atMost(Duration.ofSeconds(10)).until(() -> agent.connection().activeStreams() == 0);
	}

	@Test
	void webClientOfAnotherHubCancellingMidBodyCancelsTheAgentsHandler() {
		TestEndpoints.signals.clear();
		List<String> ticks = hubB.getBean(SwaggerSocketWebClients.class)
			.webClient(agent.id())
			.get()
			.uri("/stream/endless")
			.retrieve()
			.bodyToFlux(String.class)
			.take(3)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(ticks).hasSize(3);

		await().atMost(Duration.ofSeconds(10)).until(() -> TestEndpoints.signals.contains("endless cancelled"));
		await().atMost(Duration.ofSeconds(10)).until(() -> agent.connection().activeStreams() == 0);
	}

	@Test
	void webClientOfAnotherHubReachesTheAgent() {
		WebClient viaOther = hubB.getBean(SwaggerSocketWebClients.class).webClient(agent.id());
		WebClient viaOwner = hubA.getBean(SwaggerSocketWebClients.class).webClient(agent.id());

		Map<String, Object> where = viaOther.get()
			.uri("/fn/where")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
		assertThat(where).containsEntry("connection", agent.id()).containsEntry("uri", "http://swaggersocket/fn/where");

		ResponseEntity<Map<String, Object>> posted = viaOther.post()
			.uri("/mvc/json")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 1))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
		assertThat(posted.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertThat(posted.getBody()).containsEntry("received", Map.of("n", 1));

		Map<String, Object> seenViaOther = viaOther.get()
			.uri("/probe/request")
			.header("X-Custom", "custom-value")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
		Map<String, Object> seenViaOwner = viaOwner.get()
			.uri("/probe/request")
			.header("X-Custom", "custom-value")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
		assertThat(withoutTraceContext(seenViaOther)).isEqualTo(withoutTraceContext(seenViaOwner));
		assertThat((Map<String, Object>) seenViaOther.get("headers")).containsKey("traceparent");
	}

	/** Each call is its own span: the trace context differs from call to call. */
	private static Map<String, Object> withoutTraceContext(Map<String, Object> seen) {
		Map<String, Object> headers = new TreeMap<>((Map<String, Object>) seen.get("headers"));
		headers.remove("traceparent");
		return Map.of("uri", seen.get("uri"), "headers", headers);
	}

	@Test
	void webClientOfAnotherHubStreamsA256MiBDownload() {
		WebClient viaOther = hubB.getBean(SwaggerSocketWebClients.class).webClient(agent.id()).mutate().build();
		assertThat(LargeTransfers.download(viaOther, "/stream/download?size={size}", LargeTransfers.SIZE))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	private static Map<String, Object> probe(WebClient http) {
		return http.get()
			.uri("/peers/{id}/probe/request?x=1", agent.id())
			.header("X-Custom", "custom-value")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
	}

	private static ResponseEntity<byte[]> call(WebClient http, Case c) {
		return ParityCases.call(http, "/peers/" + agent.id(), c);
	}

	/** The body, less what Boot's error attributes say about the moment and request. */
	private static Object withoutPerRequestFields(ResponseEntity<byte[]> response) {
		byte[] body = response.getBody();
		if (body == null || !new String(body).startsWith("{\"timestamp\"")) {
			return (body != null) ? new String(body, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
		}
		return ParityCases.withoutPerRequestFields(body);
	}

}
