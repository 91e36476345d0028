package io.swaggersocket.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same requests, over the socket and over plain HTTP to the same application, in both
 * directions, against RouterFunction and controller endpoints: status, headers (less
 * hop-by-hop and Date) and body must be equal.
 */
class HttpParityIntegrationTests {

	private static final Set<String> NOT_COMPARED = Set.of("date", "connection", "keep-alive", "transfer-encoding",
			"te", "upgrade", "proxy-connection");

	private static final TestApplications apps = new TestApplications();

	private static TestApplications.Connected pair;

	@BeforeAll
	static void start() {
		pair = apps.connected();
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	record Case(String name, HttpMethod method, String path, HttpHeaders headers, byte[] body) {

		@Override
		public String toString() {
			return this.name;
		}

	}

	static Stream<Arguments> cases() {
		List<Case> cases = new ArrayList<>();
		for (String style : List.of("fn", "mvc")) {
			cases.add(new Case(style + " GET with query", HttpMethod.GET, "/" + style + "/echo?q=h%C3%A9llo+world",
					new HttpHeaders(), null));
			cases
				.add(new Case(style + " HEAD", HttpMethod.HEAD, "/" + style + "/echo?q=head", new HttpHeaders(), null));
			cases.add(new Case(style + " POST JSON", HttpMethod.POST, "/" + style + "/json",
					headers(MediaType.APPLICATION_JSON), "{\"name\":\"agent\",\"n\":[1,2,3]}".getBytes()));
			cases.add(new Case(style + " PUT", HttpMethod.PUT, "/" + style + "/items/7", headers(MediaType.TEXT_PLAIN),
					"seven".getBytes()));
			cases.add(new Case(style + " DELETE 204", HttpMethod.DELETE, "/" + style + "/items/7", new HttpHeaders(),
					null));
			HttpHeaders custom = new HttpHeaders();
			custom.add("X-Custom", "custom-value");
			custom.add(HttpHeaders.COOKIE, "flavour=vanilla");
			cases.add(new Case(style + " headers and cookies", HttpMethod.GET, "/" + style + "/headers", custom, null));
			byte[] binary = new byte[70_000];
			for (int i = 0; i < binary.length; i++) {
				binary[i] = (byte) i;
			}
			cases.add(new Case(style + " binary", HttpMethod.POST, "/" + style + "/binary",
					headers(MediaType.APPLICATION_OCTET_STREAM), binary));
			cases
				.add(new Case(style + " 404", HttpMethod.GET, "/" + style + "/no-such-thing", new HttpHeaders(), null));
		}
		cases.add(new Case("mvc 500 from exception handler", HttpMethod.GET, "/mvc/fail", new HttpHeaders(), null));
		List<Arguments> arguments = new ArrayList<>();
		for (Case c : cases) {
			arguments.add(Arguments.of("server calls client", c));
			arguments.add(Arguments.of("client calls server", c));
		}
		return arguments.stream();
	}

	private static HttpHeaders headers(MediaType contentType) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(contentType);
		return headers;
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("cases")
	void socketAnswersLikePlainHttp(String direction, Case c) {
		boolean serverCalls = direction.startsWith("server");
		WebClient overSocket = serverCalls ? pair.serverToClient() : pair.clientToServer();
		ConfigurableApplicationContext target = serverCalls ? pair.client() : pair.server();
		WebClient overHttp = WebClient.create("http://127.0.0.1:" + TestApplications.port(target));

		ResponseEntity<byte[]> socket = call(overSocket, c);
		ResponseEntity<byte[]> http = call(overHttp, c);

		assertThat(socket.getStatusCode()).isEqualTo(http.getStatusCode());
		if (isErrorAttributes(http)) {
			// Boot's error body names the moment and the request: equal only once those
			// are removed
			assertThat(withoutPerRequestFields(socket)).isEqualTo(withoutPerRequestFields(http));
			Map<String, List<String>> socketHeaders = comparable(socket.getHeaders());
			Map<String, List<String>> httpHeaders = comparable(http.getHeaders());
			socketHeaders.remove("content-length");
			httpHeaders.remove("content-length");
			assertThat(socketHeaders).isEqualTo(httpHeaders);
		}
		else {
			assertThat(comparable(socket.getHeaders())).isEqualTo(comparable(http.getHeaders()));
			assertThat(socket.getBody()).isEqualTo(http.getBody());
		}
		assertThat(socket.getHeaders().getFirst("X-Filtered")).isEqualTo("yes");
	}

	private static ResponseEntity<byte[]> call(WebClient webClient, Case c) {
		WebClient.RequestBodySpec spec = webClient.method(c.method())
			.uri(c.path())
			.headers((headers) -> headers.addAll(c.headers()));
		WebClient.RequestHeadersSpec<?> request = (c.body() != null) ? spec.bodyValue(c.body()) : spec;
		return request.exchangeToMono((response) -> response.toEntity(byte[].class)).block();
	}

	/** Boot's error responses: JSON error attributes (for HEAD, only their headers). */
	private static boolean isErrorAttributes(ResponseEntity<byte[]> response) {
		return response.getStatusCode().isError()
				&& MediaType.APPLICATION_JSON.isCompatibleWith(response.getHeaders().getContentType())
				&& (response.getBody() == null || new String(response.getBody()).startsWith("{\"timestamp\""));
	}

	private static Map<String, Object> withoutPerRequestFields(ResponseEntity<byte[]> response) {
		if (response.getBody() == null) {
			return Map.of();
		}
		Map<String, Object> body = new TreeMap<>(JSON.readValue(response.getBody(), Map.class));
		body.remove("timestamp");
		body.remove("requestId");
		return body;
	}

	private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder()
		.build();

	private static Map<String, List<String>> comparable(HttpHeaders headers) {
		Map<String, List<String>> map = new TreeMap<>();
		headers.forEach((name, values) -> {
			String key = name.toLowerCase(Locale.ROOT);
			if (!NOT_COMPARED.contains(key)) {
				map.put(key, values);
			}
		});
		return map;
	}

}
