package io.swaggersocket.http;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.LargeTransfers;
import io.swaggersocket.test.ParityCases;
import io.swaggersocket.test.ParityCases.Case;
import io.swaggersocket.test.PlainUpstream;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An agent's routes to a local upstream service (a plain Reactor Netty server, no
 * Spring), called from the hub through its gateway and through a WebClient over the
 * connection: answers equal to the upstream's own, large bodies streamed, 502 and 504
 * problem details, and no route outside the socket or the {@code expose} rules.
 */
class UpstreamRouteIntegrationTests {

	private static final TestApplications apps = new TestApplications();

	private static PlainUpstream upstream;

	private static ConfigurableApplicationContext hub;

	private static ConfigurableApplicationContext agent;

	private static SwaggerSocketConnection connection;

	@BeforeAll
	static void start() throws IOException {
		upstream = new PlainUpstream();
		String upstreamUri = "http://127.0.0.1:" + upstream.port();
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		hub = apps.server("swaggersocket.server.gateway.enabled=true");
		agent = apps.client(TestApplications.socketUrl(hub), "swaggersocket.client.routes[0].path=/legacy/**",
				"swaggersocket.client.routes[0].uri=" + upstreamUri, "swaggersocket.client.routes[0].strip-prefix=true",
				"swaggersocket.client.routes[1].path=/plain/**", "swaggersocket.client.routes[1].uri=" + upstreamUri,
				"swaggersocket.client.routes[2].path=/down/**",
				"swaggersocket.client.routes[2].uri=http://127.0.0.1:" + closedPort,
				"swaggersocket.client.routes[3].path=/slow/**", "swaggersocket.client.routes[3].uri=" + upstreamUri,
				"swaggersocket.client.routes[3].response-timeout=500ms", "swaggersocket.client.routes[4].path=/kept/**",
				"swaggersocket.client.routes[4].uri=" + upstreamUri + "/",
				"swaggersocket.client.routes[4].strip-prefix=true", "swaggersocket.client.routes[4].preserve-host=true",
				"swaggersocket.expose.exclude=/legacy/secret/**");
		connection = TestApplications.events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
	}

	@AfterAll
	static void stop() {
		apps.close();
		upstream.close();
	}

	static Stream<Arguments> cases() {
		List<Case> cases = new ArrayList<>();
		HttpHeaders custom = new HttpHeaders();
		custom.add("X-Custom", "custom-value");
		cases.add(new Case("GET with query", HttpMethod.GET, "/api/echo?q=h%C3%A9llo+world&n=1", custom, null));
		cases.add(new Case("POST JSON", HttpMethod.POST, "/api/echo", contentType(MediaType.APPLICATION_JSON),
				"{\"name\":\"agent\"}".getBytes(StandardCharsets.UTF_8)));
		cases.add(new Case("PUT", HttpMethod.PUT, "/api/echo", contentType(MediaType.TEXT_PLAIN),
				"seven".getBytes(StandardCharsets.UTF_8)));
		cases.add(new Case("DELETE 204", HttpMethod.DELETE, "/api/items/7", new HttpHeaders(), null));
		byte[] binary = new byte[70_000];
		for (int i = 0; i < binary.length; i++) {
			binary[i] = (byte) i;
		}
		cases.add(new Case("binary", HttpMethod.POST, "/api/binary", contentType(MediaType.APPLICATION_OCTET_STREAM),
				binary));
		cases.add(new Case("404", HttpMethod.GET, "/api/no-such-thing", new HttpHeaders(), null));
		cases.add(new Case("500", HttpMethod.GET, "/api/fail", new HttpHeaders(), null));
		cases.add(new Case("hop-by-hop answer", HttpMethod.GET, "/api/hop", new HttpHeaders(), null));
		List<Arguments> arguments = new ArrayList<>();
		for (Case c : cases) {
			arguments.add(Arguments.of("strip-prefix", c));
			arguments.add(Arguments.of("no strip-prefix", c));
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("cases")
	void routeAnswersLikeTheUpstream(String route, Case c) {
		boolean strip = route.equals("strip-prefix");
		WebClient direct = WebClient.create("http://127.0.0.1:" + upstream.port());
		ResponseEntity<byte[]> expected = ParityCases.call(direct, strip ? "" : "/plain", c);
		ResponseEntity<byte[]> routed = ParityCases.call(gateway(), strip ? "/legacy" : "/plain", c);
		assertThat(routed.getStatusCode()).isEqualTo(expected.getStatusCode());
		// the agent's and the hub's WebFilters see route requests like any other
		assertThat(routed.getHeaders().get("X-Filtered")).containsExactly("yes", "yes");
		Map<String, List<String>> routedHeaders = ParityCases.comparable(routed.getHeaders());
		routedHeaders.remove("x-filtered");
		assertThat(routedHeaders)
			.isEqualTo(ParityCases.comparable(HeaderMapping.withoutHopByHop(expected.getHeaders())));
		assertThat(routed.getBody()).isEqualTo(expected.getBody());
	}

	@Test
	void dropsHopByHopFieldsOfTheUpstreamsAnswer() {
		ResponseEntity<byte[]> routed = gateway().get().uri("/legacy/hop").retrieve().toEntity(byte[].class).block();
		assertThat(routed.getHeaders().getFirst("X-Public")).isEqualTo("public");
		assertThat(routed.getHeaders().containsHeader("X-Private")).isFalse();
	}

	@Test
	void tellsTheUpstreamWhereTheRequestCameFrom() {
		String seen = gateway().get().uri("/legacy/forwarded").retrieve().bodyToMono(String.class).block();
		assertThat(seen).contains("Host: 127.0.0.1:" + upstream.port() + "\n")
			.contains("X-Forwarded-For: 127.0.0.1\n")
			.contains("X-Forwarded-Proto: http\n")
			.contains("X-Forwarded-Prefix: /peers/" + connection.id() + "/legacy\n");
	}

	@Test
	void namesTheCallersHostInForwardedHost() {
		String seen = overConnection().get()
			.uri("/legacy/forwarded")
			.header(HttpHeaders.HOST, "device.example")
			.retrieve()
			.bodyToMono(String.class)
			.block();
		assertThat(seen).contains("Host: 127.0.0.1:" + upstream.port() + "\n")
			.contains("X-Forwarded-Host: device.example\n")
			.contains("X-Forwarded-Prefix: /legacy\n");
	}

	@Test
	void keepsTheCallersHostWhenAsked() {
		String seen = overConnection().get()
			.uri("/kept/forwarded")
			.header(HttpHeaders.HOST, "device.example")
			.retrieve()
			.bodyToMono(String.class)
			.block();
		assertThat(seen).contains("Host: device.example\n");
	}

	@Test
	void leavesThePrefixWhenNotStripping() {
		String seen = overConnection().get().uri("/plain/forwarded").retrieve().bodyToMono(String.class).block();
		assertThat(seen).contains("X-Forwarded-Prefix: null\n");
	}

	@Test
	void answersBadGatewayWhenTheUpstreamIsDown() {
		ResponseEntity<String> answer = gateway().get()
			.uri("/down/anything")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
		assertThat(answer.getStatusCode().value()).isEqualTo(502);
		assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(answer.getBody()).contains("\"status\":502").contains("/down/**");
	}

	@Test
	void answersGatewayTimeoutWhenTheUpstreamIsSlow() {
		long start = System.nanoTime();
		ResponseEntity<String> answer = gateway().get()
			.uri("/slow/slow")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(answer.getStatusCode().value()).isEqualTo(504);
		assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(answer.getBody()).contains("\"status\":504").contains("500 ms");
		// the upstream answers after 5 s: the 504 comes from the timeout, not the answer
		assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(4));
	}

	@Test
	void excludedPathsStayUnreachable() {
		WebClient direct = WebClient.create("http://127.0.0.1:" + upstream.port());
		assertThat(status(direct, "/secret/echo")).isEqualTo(200);
		assertThat(status(gateway(), "/legacy/secret/echo")).isEqualTo(404);
	}

	@Test
	void doesNotForwardRequestsToTheAgentsOwnPort() {
		WebClient agentPort = WebClient.create("http://127.0.0.1:" + TestApplications.port(agent));
		assertThat(status(agentPort, "/legacy/api/echo")).isEqualTo(404);
		assertThat(status(gateway(), "/legacy/api/echo")).isEqualTo(200);
	}

	@Test
	void cancelsTheUpstreamRequestWhenTheCallerCancels() {
		int ended = upstream.endedStreams();
		List<String> ticks = overConnection().get()
			.uri("/legacy/stream")
			.retrieve()
			.bodyToFlux(DataBuffer.class)
			.map((buffer) -> {
				String text = buffer.toString(StandardCharsets.UTF_8);
				DataBufferUtils.release(buffer);
				return text;
			})
			.take(3)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(ticks).hasSize(3);
		await().atMost(Duration.ofSeconds(5)).until(() -> upstream.endedStreams() > ended);
	}

	@Test
	void downloadsLargeBodyWithoutBuffering() {
		assertThat(LargeTransfers.download(overConnection(), "/legacy/download"))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	@Test
	void uploadsLargeBodyWithoutBuffering() {
		assertThat(LargeTransfers.upload(overConnection(), "/legacy/upload"))
			.isLessThan(LargeTransfers.MAX_HEAP_GROWTH_MIB);
	}

	private static WebClient gateway() {
		return WebClient.create("http://127.0.0.1:" + TestApplications.port(hub) + "/peers/" + connection.id());
	}

	private static WebClient overConnection() {
		return hub.getBean(SwaggerSocketWebClients.class).webClient(connection);
	}

	private static int status(WebClient client, String uri) {
		return client.get()
			.uri(uri)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
			.block(Duration.ofSeconds(10));
	}

	private static HttpHeaders contentType(MediaType mediaType) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(mediaType);
		return headers;
	}

}
