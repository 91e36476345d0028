package io.swaggersocket.http;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.cluster.AgentProbe;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.FreezableTcpProxy;
import io.swaggersocket.test.RawHttpConnection;
import io.swaggersocket.test.TestApplications;
import io.swaggersocket.test.TestEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.registry;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway by selector, {@code /peers/{key}={value},.../**}, over real HTTP to a hub
 * with three real agents: {@code a} and {@code b} in group {@code g1} ({@code a} dials
 * through a proxy that can reset its socket), and {@code c}, whose metadata value holds
 * the characters a selector's text form must percent-encode.
 */
class GatewaySelectorIntegrationTests {

	/** A metadata value with a space, '/', ',' and '='. */
	private static final String AWKWARD = "x y/z,w=v";

	private static final TestApplications apps = new TestApplications();

	private static ConfigurableApplicationContext hub;

	private static FreezableTcpProxy proxy;

	private static WebClient http;

	@BeforeAll
	static void start() throws IOException {
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
		proxy = new FreezableTcpProxy(TestApplications.port(hub));
		agent(proxy.port(), "swaggersocket.client.metadata.name=a", "swaggersocket.client.metadata.group=g1",
				AgentProbe.SOURCE);
		agent(TestApplications.port(hub), "swaggersocket.client.metadata.name=b",
				"swaggersocket.client.metadata.group=g1");
		agent(TestApplications.port(hub), "swaggersocket.client.metadata.name=c",
				"swaggersocket.client.metadata.group=g2", "swaggersocket.client.metadata.label=" + AWKWARD);
		http = WebClient.builder().baseUrl("http://127.0.0.1:" + TestApplications.port(hub)).build();
	}

	private static void agent(int port, String... properties) {
		int before = events(hub).events(SwaggerSocketConnectedEvent.class).size();
		ConfigurableApplicationContext agent = apps.client(socketUrl(port), properties);
		events(hub).await(SwaggerSocketConnectedEvent.class, before + 1, Duration.ofSeconds(10));
		events(agent).await(SwaggerSocketConnectedEvent.class);
	}

	@AfterAll
	static void stop() throws IOException {
		apps.close();
		proxy.close();
	}

	@Test
	void reachesTheAgentOfOnePair() {
		assertThat(work("/peers/name=a/routing/work")).isEqualTo("a");
		assertThat(work("/peers/name=b/routing/work")).isEqualTo("b");
	}

	@Test
	void reachesTheAgentMatchingEveryPair() {
		assertThat(work("/peers/group=g1,name=b/routing/work")).isEqualTo("b");
		assertThat(work("/peers/name=c,group=g2/routing/work")).isEqualTo("c");
	}

	@Test
	void noMatchIsA404ProblemNamingTheSelector() {
		for (String selector : List.of("name=nobody", "group=g1,name=c")) {
			ResponseEntity<Map<String, Object>> answer = problem("/peers/" + selector + "/routing/work");

			assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
			assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
			assertThat(answer.getBody()).containsEntry("status", 404)
				.containsEntry("detail", "No live connection matches selector '" + selector + "'");
		}
	}

	@Test
	void percentEncodedValuesAreDecoded() {
		// the value's space, '/', ',' and '=' percent-encoded in the path segment
		String encoded = "x%20y%2Fz%2Cw%3Dv";

		assertThat(work("/peers/label=" + encoded + "/routing/work")).isEqualTo("c");
		assertThat(work("/peers/group=g2,label=" + encoded + "/routing/work")).isEqualTo("c");
		Map<String, Object> where = json("/peers/label=" + encoded + "/fn/where?q=1");
		assertThat(where).containsEntry("uri", "http://swaggersocket/fn/where?q=1");
		assertThat((Map<String, Object>) where.get("metadata")).containsEntry("label", AWKWARD);
		// decoded, the value must be the whole of it
		assertThat(problem("/peers/label=x%20y/routing/work").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void aMalformedSelectorIsA400() {
		for (String selector : List.of("name=a,b", "=a", "name=a,,group=g1", "name=a,name=b")) {
			ResponseEntity<Map<String, Object>> answer = problem("/peers/" + selector + "/routing/work");

			assertThat(answer.getStatusCode()).as(selector).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(answer.getBody()).as(selector).containsEntry("status", 400);
		}
	}

	/** Encodings that java.net.URI refuses to send, so sent raw. */
	@Test
	void aBadlyPercentEncodedSelectorIsA400() throws IOException {
		for (String selector : List.of("name=a%2", "name=a%ZZ", "na%G1me=a")) {
			try (RawHttpConnection raw = RawHttpConnection.connect(TestApplications.port(hub),
					Duration.ofSeconds(10))) {
				raw.sendHead("GET /peers/" + selector + "/routing/work HTTP/1.1\r\nHost: localhost");

				// the server turns down a path it cannot decode before the gateway sees
				// it
				assertThat(raw.readHead().status()).as(selector).isEqualTo(400);
			}
		}
	}

	@Test
	void theAgentSeesThePathAfterTheSelectorAndTheSelectorInXForwardedPrefix() {
		Map<String, Object> seen = http.get()
			.uri(URI.create(uri("/peers/group=g1,name=a/probe/request?x=1")))
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "1")
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));

		assertThat(seen).containsEntry("uri", "http://swaggersocket/probe/request?x=1");
		assertThat((Map<String, Object>) seen.get("headers"))
			.containsEntry("x-forwarded-prefix", "/peers/group=g1,name=a")
			.doesNotContainKeys("host", "x-swaggersocket-wait");
	}

	@Test
	void postsABodyBySelector() {
		Map<String, Object> posted = http.post()
			.uri("/peers/name=b/fn/json")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("n", 42))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));

		assertThat(posted).containsEntry("received", Map.of("n", 42));
		String echoed = http.post()
			.uri("/peers/name=c/routing/work")
			.bodyValue("some body")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
		assertThat(echoed).isEqualTo("c");
	}

	@Test
	void connectionIdsStillWork() {
		SwaggerSocketConnection b = hubSide("b");

		assertThat(work("/peers/" + b.id() + "/routing/work")).isEqualTo("b");
		assertThat(problem("/peers/no-such-id/routing/work").getBody()).containsEntry("status", 404)
			.containsEntry("detail", "No live connection with id 'no-such-id'");
	}

	@Test
	void hundredGetsInFlightAllAnswer200WhileOneOfTwoMatchingAgentsIsKilled() throws IOException {
		SwaggerSocketConnection a = hubSide("a");
		int ranOnABefore = ranOn("a");
		Mono<List<ResponseEntity<String>>> calls = Flux.range(0, 100)
			.flatMap((i) -> http.get()
				.uri("/peers/group=g1/routing/work?ms=1000")
				.exchangeToMono((response) -> response.toEntity(String.class)), 100)
			.collectList()
			.cache();
		calls.subscribe();
		// a good part of them are on agent a's socket, unanswered, when it dies
		await().atMost(Duration.ofSeconds(10)).until(() -> a.activeStreams() >= 20);
		proxy.reset();

		List<ResponseEntity<String>> answers = calls.block(Duration.ofSeconds(30));

		assertThat(answers).hasSize(100)
			.allSatisfy((answer) -> assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK));
		assertThat(answers).extracting(ResponseEntity::getBody).isSubsetOf("a", "b");
		// the calls that ran on agent a but lost their answer with it were answered by b
		long answeredByA = answers.stream().filter((answer) -> "a".equals(answer.getBody())).count();
		assertThat(ranOn("a") - ranOnABefore).isGreaterThanOrEqualTo(20).isGreaterThan((int) answeredByA);
		// the killed one comes back (through the proxy) for the other tests
		await().atMost(Duration.ofSeconds(10))
			.until(() -> registry(hub).findByMetadata("name", "a").stream().anyMatch(SwaggerSocketConnection::isOpen));
	}

	private static int ranOn(String name) {
		AtomicInteger runs = TestEndpoints.executionsByName.get(name);
		return (runs != null) ? runs.get() : 0;
	}

	private static SwaggerSocketConnection hubSide(String name) {
		return registry(hub).findByMetadata("name", name)
			.stream()
			.filter(SwaggerSocketConnection::isOpen)
			.findFirst()
			.orElseThrow();
	}

	private static String work(String uri) {
		return http.get().uri(URI.create(uri(uri))).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
	}

	private static Map<String, Object> json(String uri) {
		return http.get()
			.uri(URI.create(uri(uri)))
			.retrieve()
			.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.block(Duration.ofSeconds(10));
	}

	private static ResponseEntity<Map<String, Object>> problem(String uri) {
		return http.get()
			.uri(URI.create(uri(uri)))
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(Duration.ofSeconds(10));
	}

	/** The whole URI, as given: no template expansion, no further encoding. */
	private static String uri(String path) {
		return "http://127.0.0.1:" + TestApplications.port(hub) + path;
	}

}
