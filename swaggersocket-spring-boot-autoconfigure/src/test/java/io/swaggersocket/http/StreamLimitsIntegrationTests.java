package io.swaggersocket.http;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import io.swaggersocket.protocol.Header;
import io.swaggersocket.test.RawWebSocketClient;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.context.ConfigurableApplicationContext;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol's stream limits: a peer that opens more streams than allowed, or sends a
 * header block that is too large, gets the documented RESET; a well-behaved caller above
 * the peer's limit waits for a free stream instead.
 */
class StreamLimitsIntegrationTests {

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void streamsBeyondMaxConcurrentStreamsAreRefused() {
		ConfigurableApplicationContext server = this.apps.server("swaggersocket.limits.max-concurrent-streams=2");
		try (RawWebSocketClient raw = handshake(server)) {
			for (int id = 1; id <= 5; id += 2) {
				raw.send(new Frame.Headers(id, true, get("/mvc/slow")));
			}
			Frame refused = raw.awaitFrames(2).get(1);
			assertThat(refused).isEqualTo(new Frame.Reset(5, ErrorCode.REFUSED_STREAM));
		}
	}

	@Test
	void oversizedHeaderBlockResetsOnlyItsStream() {
		ConfigurableApplicationContext server = this.apps.server("swaggersocket.limits.max-header-block-size=1KB");
		try (RawWebSocketClient raw = handshake(server)) {
			List<Header> headers = new ArrayList<>(get("/fn/echo?q=x"));
			headers.add(new Header("x-big", "y".repeat(2000)));
			raw.send(new Frame.Headers(1, true, headers));
			raw.send(new Frame.Headers(3, true, get("/fn/echo?q=fine")));
			List<Frame> frames = raw.awaitFrames(4);
			assertThat(frames.get(1)).isEqualTo(new Frame.Reset(1, ErrorCode.HEADERS_TOO_LARGE));
			assertThat(frames.get(2)).isInstanceOfSatisfying(Frame.Headers.class,
					(response) -> assertThat(response.streamId()).isEqualTo(3));
		}
	}

	@Test
	void callerAboveThePeersLimitWaitsForAFreeStream() {
		ConfigurableApplicationContext server = this.apps.server("swaggersocket.limits.max-concurrent-streams=2");
		ConfigurableApplicationContext client = this.apps.client(socketUrl(server));
		events(client).await(SwaggerSocketConnectedEvent.class);
		// many streams ending and starting back to back: none may be refused for the
		// limit, which
		// needs the server to count a stream closed before its end reaches the client
		List<String> bodies = Flux.range(0, 500)
			.flatMap((i) -> client.getBean(SwaggerSocketWebClients.class)
				.server()
				.get()
				.uri("/fn/echo?q={i}", i)
				.retrieve()
				.bodyToMono(String.class), 50)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(bodies).hasSize(500);
	}

	private static RawWebSocketClient handshake(ConfigurableApplicationContext server) {
		RawWebSocketClient raw = RawWebSocketClient.connect(URI.create(socketUrl(server)), FrameCodec.SUBPROTOCOL);
		raw.send(new Frame.Hello("{\"metadata\":{}}"));
		raw.awaitFrames(1);
		raw.send(new Frame.Ready());
		return raw;
	}

	private static List<Header> get(String path) {
		return List.of(new Header(":method", "GET"), new Header(":path", path));
	}

}
