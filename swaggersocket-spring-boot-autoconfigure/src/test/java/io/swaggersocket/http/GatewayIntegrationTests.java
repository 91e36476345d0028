package io.swaggersocket.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.LargeTransfers;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP gateway on the hub: plain HTTP in, over the agent's socket, streamed back.
 */
class GatewayIntegrationTests {

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hub;

	private static ConfigurableApplicationContext client;

	private static SwaggerSocketConnection agent;

	private static WebClient http;

	@BeforeAll
	static void start() {
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
		client = apps.client(socketUrl(hub));
		agent = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		http = WebClient.builder()
			.baseUrl("http://127.0.0.1:" + TestApplications.port(hub))
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
			.build();
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void forwardsRequestsToTheAgentAndTheAnswerBack() {
		ResponseEntity<Map<String, Object>> get = http.get()
			.uri("/peers/{id}/fn/echo?q={q}", agent.id(), "via gateway")
			.retrieve()
			.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(5));
		assertThat(get.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(get.getBody()).containsEntry("q", "via gateway");
		assertThat(get.getHeaders().getFirst("X-Filtered")).isEqualTo("yes");

		Map<String, Object> posted = http.post()
			.uri("/peers/{id}/mvc/json", agent.id())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 1))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(5));
		assertThat(posted).containsEntry("received", Map.of("n", 1));

		Map<String, Object> where = http.get()
			.uri("/peers/{id}/fn/where", agent.id())
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(5));
		assertThat(where).containsEntry("connection", agent.id());
	}

	@Test
	void streamsA256MiBDownloadWithBoundedHeap() {
		assertThat(LargeTransfers.download(http, "/peers/{id}/stream/download?size={size}", agent.id(),
				LargeTransfers.SIZE))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void streamsA256MiBUploadWithBoundedHeap() {
		assertThat(LargeTransfers.upload(http, "/peers/{id}/stream/upload", agent.id()))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	/**
	 * An agent calls the hub's gateway over its own socket with a body of unknown length
	 * (no Content-Length): the gateway must see that a body follows and pass it on, not
	 * take the request for a bodiless one and drop what the agent sent.
	 */
	@Test
	void aBodyOfUnknownLengthSentOverASocketToTheGatewayReachesThePeer() {
		SwaggerSocketConnection toHub = TestApplications.registry(client).list().get(0);
		byte[] bytes = "sent over a socket, length unknown".repeat(1000).getBytes(StandardCharsets.UTF_8);
		Flux<DataBuffer> body = Flux.range(0, 10)
			.map((i) -> DefaultDataBufferFactory.sharedInstance
				.wrap(Arrays.copyOfRange(bytes, i * bytes.length / 10, (i + 1) * bytes.length / 10)));

		Map<String, Object> answer = client.getBean(SwaggerSocketWebClients.class)
			.webClient(toHub.id())
			.post()
			.uri("/peers/{id}/stream/upload", agent.id())
			.body(body, DataBuffer.class)
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));

		assertThat(answer).containsEntry("sha256", HexFormat.of().formatHex(TestEndpoints.sha256().digest(bytes)));
	}

	@Test
	void unknownConnectionIsA404ProblemDetail() {
		ResponseEntity<Map<String, Object>> response = problem("/peers/no-such-agent/fn/echo");
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).containsEntry("status", 404)
			.containsEntry("title", "Not Found")
			.containsEntry("instance", "/peers/no-such-agent/fn/echo")
			.containsEntry("detail", "No live connection with id 'no-such-agent'");
	}

	@Test
	void connectionFailingDuringTheCallIsA502ProblemDetail() {
		ConfigurableApplicationContext otherHub = apps.server("swaggersocket.server.gateway.enabled=true");
		apps.client(socketUrl(otherHub));
		SwaggerSocketConnection doomed = events(otherHub).await(SwaggerSocketConnectedEvent.class).getConnection();
		WebClient otherHttp = WebClient.create("http://127.0.0.1:" + TestApplications.port(otherHub));
		Mono<ResponseEntity<Map<String, Object>>> call = otherHttp.get()
			.uri("/peers/{id}/mvc/slow", doomed.id())
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.cache();
		call.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> doomed.activeStreams() == 1);

		doomed.close().block(Duration.ofSeconds(5));

		ResponseEntity<Map<String, Object>> response = call.block(Duration.ofSeconds(5));
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody()).containsEntry("status", 502).containsEntry("title", "Bad Gateway");
		assertThat((String) response.getBody().get("detail")).startsWith("The call to connection '" + doomed.id());
	}

	private static ResponseEntity<Map<String, Object>> problem(String path) {
		return http.get()
			.uri(path)
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(Duration.ofSeconds(5));
	}

}
