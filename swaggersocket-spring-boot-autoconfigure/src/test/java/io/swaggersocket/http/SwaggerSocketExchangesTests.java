package io.swaggersocket.http;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter that marks requests that came over SwaggerSocket leaves every other request
 * alone, whatever server (or mock) carries it.
 */
class SwaggerSocketExchangesTests {

	@Test
	void requestWithoutANativeRequestPassesThroughUnmarked() {
		// a mock request, as WebTestClient.bindToApplicationContext and MOCK
		// @SpringBootTest use, throws when asked for its native request
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/status"));
		AtomicReference<ServerWebExchange> passed = new AtomicReference<>();

		new SwaggerSocketExchanges().filter(exchange, (filtered) -> {
			passed.set(filtered);
			return Mono.empty();
		}).block();

		assertThat(passed.get()).isSameAs(exchange);
		assertThat(SwaggerSocketExchanges.connection(exchange)).isEmpty();
	}

}
