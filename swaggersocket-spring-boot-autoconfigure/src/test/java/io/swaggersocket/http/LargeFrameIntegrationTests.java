package io.swaggersocket.http;

import java.time.Duration;
import java.util.Random;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both sides declare frames and windows far larger than the outbound queue's bounds: a
 * body that comes as one large buffer still travels, in frames small enough for the
 * queue, and the connection is not taken for one whose peer does not read.
 */
class LargeFrameIntegrationTests {

	private static final String[] LARGE = { "swaggersocket.limits.max-frame-size=16MB",
			"swaggersocket.limits.initial-stream-window=32MB", "swaggersocket.limits.connection-window=64MB",
			// the endpoint and the caller decode the body whole
			"spring.http.codecs.max-in-memory-size=16MB" };

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void bodyInOneBufferLargerThanTheQueueBoundTravelsBothWays() {
		ConfigurableApplicationContext server = this.apps.server(LARGE);
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server), LARGE);
		SwaggerSocketConnection serverSide = events(server).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(client).await(SwaggerSocketConnectedEvent.class);
		WebClient webClient = server.getBean(SwaggerSocketWebClients.class).webClient(serverSide);
		byte[] body = new byte[6 * 1024 * 1024];
		new Random(6).nextBytes(body);
		byte[] reversed = new byte[body.length];
		for (int i = 0; i < body.length; i++) {
			reversed[i] = body[body.length - 1 - i];
		}
		byte[] answer = webClient.post()
			.uri("/mvc/binary")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(byte[].class)
			.block(Duration.ofSeconds(30));
		// the endpoint answers the body reversed
		assertThat(answer).isEqualTo(reversed);
		assertThat(serverSide.isOpen()).isTrue();
	}

}
