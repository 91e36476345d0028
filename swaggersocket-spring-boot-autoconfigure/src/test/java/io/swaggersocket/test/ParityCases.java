package io.swaggersocket.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The requests that parity tests send one way and another (over the socket and over plain
 * HTTP, through the hub that holds an agent and through another), to the endpoints of
 * {@link TestEndpoints}, and how they compare the answers.
 */
public final class ParityCases {

	/** Fields that tell one connection from another, not one answer from another. */
	public static final Set<String> NOT_COMPARED = Set.of("date", "connection", "keep-alive", "transfer-encoding", "te",
			"upgrade", "proxy-connection");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ParityCases() {
	}

	/**
	 * One request.
	 *
	 * @param name how the test names it
	 * @param method the method
	 * @param path the path and query
	 * @param headers the request headers
	 * @param body the body, or {@code null} for none
	 */
	public record Case(String name, HttpMethod method, String path, HttpHeaders headers, byte[] body) {

		@Override
		public String toString() {
			return this.name;
		}

	}

	/**
	 * The cases: each method, query, JSON, binary, headers and cookies, 204, 404 and an
	 * exception handler's 500, for functional and annotated endpoints.
	 * @return the cases
	 */
	public static List<Case> cases() {
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
		return cases;
	}

	/**
	 * Send a case.
	 * @param webClient the client
	 * @param prefix what goes before the case's path, for example a gateway's
	 * {@code /peers/{id}}
	 * @param c the case
	 * @return the answer
	 */
	public static ResponseEntity<byte[]> call(WebClient webClient, String prefix, Case c) {
		WebClient.RequestBodySpec spec = webClient.method(c.method())
			.uri(prefix + c.path())
			.headers((headers) -> headers.addAll(c.headers()));
		WebClient.RequestHeadersSpec<?> request = (c.body() != null) ? spec.bodyValue(c.body()) : spec;
		return request.exchangeToMono((response) -> response.toEntity(byte[].class))
			.block(java.time.Duration.ofSeconds(10));
	}

	/**
	 * Boot's error attributes, less what they say about the moment and the request.
	 * @param body a JSON error body
	 * @return the attributes that two answers to the same request share
	 */
	public static Map<String, Object> withoutPerRequestFields(byte[] body) {
		Map<String, Object> attributes = new TreeMap<>(JSON.readValue(body, Map.class));
		attributes.remove("timestamp");
		attributes.remove("requestId");
		return attributes;
	}

	/**
	 * The headers to compare, by lower-case name.
	 * @param headers an answer's headers
	 * @return them, less {@link #NOT_COMPARED}
	 */
	public static Map<String, List<String>> comparable(HttpHeaders headers) {
		Map<String, List<String>> map = new TreeMap<>();
		headers.forEach((name, values) -> {
			String key = name.toLowerCase(Locale.ROOT);
			if (!NOT_COMPARED.contains(key)) {
				map.put(key, values);
			}
		});
		return map;
	}

	private static HttpHeaders headers(MediaType contentType) {
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(contentType);
		return headers;
	}

}
