package io.swaggersocket.sample;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.swaggersocket.routing.PeerSelector;
import io.swaggersocket.websocket.SwaggerSocketWebSockets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agents' WebSocket handlers, {@code /ws/ticks} and {@code /ws/echo}, opened by the
 * hub over the agent's socket with the starter's WebSocket client (no gateway, no
 * browser: {@link HubPageBrowserTests} covers those).
 */
class AgentWebSocketsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static RunningSample sample;

	@BeforeAll
	static void startSample() {
		sample = RunningSample.start();
	}

	@AfterAll
	static void stopSample() {
		sample.close();
	}

	@Test
	void ticksCarryTheAgentsNameAndACounterThenCloseWith1000() {
		Session ticks = open("name=agent-1", "/ws/ticks?count=3", (session) -> Mono.empty());
		assertThat(ticks.received()).hasSize(3);
		for (int i = 0; i < 3; i++) {
			assertThat(ticks.received().get(i)).startsWith("{\"agent\":\"agent-1\",\"sequence\":" + (i + 1) + ",");
		}
		assertThat(ticks.closeStatus()).isEqualTo(CloseStatus.NORMAL);
	}

	@Test
	void ticksWithACountOutOfRangeCloseWith1008SayingWhy() {
		Session ticks = open("name=agent-2", "/ws/ticks?count=0", (session) -> Mono.empty());
		assertThat(ticks.received()).isEmpty();
		assertThat(ticks.closeStatus()).isEqualTo(new CloseStatus(1008, "count must be between 1 and 100"));
	}

	@Test
	void echoAnswersEachMessageWithTheAgentsName() {
		Session echo = open("name=agent-2", "/ws/echo",
				(session) -> session.send(Mono.just(session.textMessage("hello agent"))));
		assertThat(echo.received()).containsExactly("agent-2 echoes: hello agent");
	}

	/**
	 * Open a WebSocket to the agent, send what {@code sender} sends, read until the agent
	 * closes (or, for an echo, until its first answer, then close with 1000).
	 */
	private static Session open(String selector, String path, WebSocketHandler sender) {
		List<String> received = new CopyOnWriteArrayList<>();
		AtomicReference<CloseStatus> status = new AtomicReference<>();
		boolean echo = path.startsWith("/ws/echo");
		sample.hub()
			.getBean(SwaggerSocketWebSockets.class)
			.client(PeerSelector.parse(selector))
			.execute(URI.create("ws://swaggersocket" + path), (session) -> {
				Mono<Void> in = session.receive()
					.map(WebSocketMessage::getPayloadAsText)
					.doOnNext(received::add)
					.take(echo ? 1 : Long.MAX_VALUE)
					.then(echo ? session.close() : session.closeStatus().doOnNext(status::set).then());
				return Mono.when(sender.handle(session), in);
			})
			.block(TIMEOUT);
		return new Session(received, status.get());
	}

	private record Session(List<String> received, CloseStatus closeStatus) {
	}

}
