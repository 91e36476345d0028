package io.swaggersocket.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's {@link HttpHandler} is looked up once, as the web server looks up its
 * own, not for every request a peer sends: resolving a bean through the bean factory on
 * every request cost the agent a tenth of its CPU in the c=64 echo benchmark.
 */
class HandlerLookupIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void theApplicationsHandlerIsLookedUpOnceForManyRequests() {
		ConfigurableApplicationContext hub = this.apps.server();
		ConfigurableApplicationContext agent = this.apps.client(socketUrl(hub),
				new Class<?>[] { CountedHandler.class });
		SwaggerSocketConnection connection = events(hub).await(SwaggerSocketConnectedEvent.class).getConnection();
		CountedHandler handlers = agent.getBean(CountedHandler.class);
		int beforeRequests = handlers.created.get();

		for (int i = 0; i < 5; i++) {
			HttpStatus status = hub.getBean(SwaggerSocketWebClients.class)
				.webClient(connection)
				.get()
				.uri("/anything")
				.exchangeToMono((response) -> response.releaseBody()
					.thenReturn(HttpStatus.valueOf(response.statusCode().value())))
				.block(Duration.ofSeconds(10));
			assertThat(status).isEqualTo(HttpStatus.NO_CONTENT);
		}
		// the first request looked it up; the four others used the same
		assertThat(handlers.created.get() - beforeRequests).isEqualTo(1);
	}

	/**
	 * An application whose handler is a new instance on every look-up, so that the test
	 * counts the look-ups.
	 */
	@Configuration(proxyBeanMethods = false)
	static class CountedHandler {

		final AtomicInteger created = new AtomicInteger();

		@Bean
		@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
		HttpHandler httpHandler() {
			this.created.incrementAndGet();
			return (request, response) -> {
				response.setStatusCode(HttpStatus.NO_CONTENT);
				return response.setComplete();
			};
		}

	}

}
