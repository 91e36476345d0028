package io.swaggersocket.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.swaggersocket.test.ParityCases;
import io.swaggersocket.test.ParityCases.Case;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
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

	static Stream<Arguments> cases() {
		List<Arguments> arguments = new ArrayList<>();
		for (Case c : ParityCases.cases()) {
			arguments.add(Arguments.of("server calls client", c));
			arguments.add(Arguments.of("client calls server", c));
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("cases")
	void socketAnswersLikePlainHttp(String direction, Case c) {
		boolean serverCalls = direction.startsWith("server");
		WebClient overSocket = serverCalls ? pair.serverToClient() : pair.clientToServer();
		ConfigurableApplicationContext target = serverCalls ? pair.client() : pair.server();
		WebClient overHttp = WebClient.create("http://127.0.0.1:" + TestApplications.port(target));

		ResponseEntity<byte[]> socket = ParityCases.call(overSocket, "", c);
		ResponseEntity<byte[]> http = ParityCases.call(overHttp, "", c);

		assertThat(socket.getStatusCode()).isEqualTo(http.getStatusCode());
		if (isErrorAttributes(http)) {
			// Boot's error body names the moment and the request: equal only once those
			// are removed
			assertThat(withoutPerRequestFields(socket)).isEqualTo(withoutPerRequestFields(http));
			Map<String, List<String>> socketHeaders = ParityCases.comparable(socket.getHeaders());
			Map<String, List<String>> httpHeaders = ParityCases.comparable(http.getHeaders());
			socketHeaders.remove("content-length");
			httpHeaders.remove("content-length");
			assertThat(socketHeaders).isEqualTo(httpHeaders);
		}
		else {
			assertThat(ParityCases.comparable(socket.getHeaders()))
				.isEqualTo(ParityCases.comparable(http.getHeaders()));
			assertThat(socket.getBody()).isEqualTo(http.getBody());
		}
		assertThat(socket.getHeaders().getFirst("X-Filtered")).isEqualTo("yes");
	}

	/** Boot's error responses: JSON error attributes (for HEAD, only their headers). */
	private static boolean isErrorAttributes(ResponseEntity<byte[]> response) {
		return response.getStatusCode().isError()
				&& MediaType.APPLICATION_JSON.isCompatibleWith(response.getHeaders().getContentType())
				&& (response.getBody() == null || new String(response.getBody()).startsWith("{\"timestamp\""));
	}

	private static Map<String, Object> withoutPerRequestFields(ResponseEntity<byte[]> response) {
		return (response.getBody() != null) ? ParityCases.withoutPerRequestFields(response.getBody()) : Map.of();
	}

}
