package io.swaggersocket.routing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.http.SwaggerSocketGatewayHandler;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.Causes;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Calls by selector that wait for a matching agent to connect: selector-bound WebClients
 * with {@link RoutingOptions#withWaitTimeout}, and the gateway with the
 * {@value SwaggerSocketGatewayHandler#WAIT_HEADER} header or
 * {@code swaggersocket.routing.wait-timeout}. The hub lets at most {@value #MAX_WAITING}
 * calls wait, each at most {@code max-wait-timeout}, and waits by default. The floods of
 * calls beyond the limit go to a hub of their own, whose waits outlast them.
 */
class PeerWaitingIntegrationTests {

	private static final int MAX_WAITING = 100;

	private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(5);

	private static final Duration MAX_WAIT_TIMEOUT = Duration.ofSeconds(5);

	private static final TestApplications apps = new TestApplications();

	private static final AtomicInteger names = new AtomicInteger();

	private static ConfigurableApplicationContext hub;

	private static PeerWaiters waiters;

	private static SwaggerSocketWebClients clients;

	private static WebClient http;

	private static ConfigurableApplicationContext floodHub;

	private static PeerWaiters floodWaiters;

	@BeforeAll
	static void start() {
		hub = apps.server("swaggersocket.server.gateway.enabled=true",
				"swaggersocket.routing.max-waiting=" + MAX_WAITING,
				"swaggersocket.routing.wait-timeout=" + WAIT_TIMEOUT.toMillis() + "ms",
				"swaggersocket.routing.max-wait-timeout=" + MAX_WAIT_TIMEOUT.toMillis() + "ms");
		waiters = hub.getBean(PeerWaiters.class);
		clients = hub.getBean(SwaggerSocketWebClients.class);
		http = WebClient.builder().baseUrl("http://127.0.0.1:" + TestApplications.port(hub)).build();
		floodHub = apps.server("swaggersocket.server.gateway.enabled=true",
				"swaggersocket.routing.max-waiting=" + MAX_WAITING, "swaggersocket.routing.max-wait-timeout=10m");
		floodWaiters = floodHub.getBean(PeerWaiters.class);
	}

	@AfterAll
	static void stop() {
		apps.close();
	}

	@Test
	void callsWaitingForAnAgentSucceedOnceItConnects() {
		String name = "late-" + names.incrementAndGet();
		Mono<String> viaWebClient = clients
			.webClient(PeerSelector.of("name", name), RoutingOptions.DEFAULTS.withWaitTimeout(Duration.ofSeconds(10)))
			.get()
			.uri("/routing/work")
			.retrieve()
			.bodyToMono(String.class)
			.cache();
		Mono<ResponseEntity<String>> viaHeader = http.get()
			.uri("/peers/name={name}/routing/work", name)
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "5")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.cache();
		// swaggersocket.routing.wait-timeout
		Mono<ResponseEntity<String>> viaProperty = http.get()
			.uri("/peers/name={name}/routing/work", name)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.cache();
		viaWebClient.subscribe();
		viaHeader.subscribe();
		viaProperty.subscribe();
		await().atMost(Duration.ofSeconds(5)).until(() -> waiters.waiting() == 3);

		apps.client(socketUrl(hub), "swaggersocket.client.metadata.name=" + name);

		assertThat(viaWebClient.block(Duration.ofSeconds(10))).isEqualTo(name);
		ResponseEntity<String> header = viaHeader.block(Duration.ofSeconds(10));
		assertThat(header.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(header.getBody()).isEqualTo(name);
		ResponseEntity<String> property = viaProperty.block(Duration.ofSeconds(10));
		assertThat(property.getStatusCode()).isEqualTo(HttpStatus.OK);
		assertThat(property.getBody()).isEqualTo(name);
		assertThat(waiters.waiting()).isZero();
	}

	@Test
	void withoutTheWaitACallFailsAtOnce() {
		// each would wait WAIT_TIMEOUT with the hub's default
		WebClient noWait = clients.webClient(PeerSelector.of("name", "absent"),
				RoutingOptions.DEFAULTS.withWaitTimeout(Duration.ZERO));
		assertThatThrownBy(() -> noWait.get()
			.uri("/routing/work")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(2)))
			.satisfies((ex) -> assertThat(Causes.root(ex)).isInstanceOf(SwaggerSocketNoMatchingPeerException.class)
				.hasMessage("No live connection matches selector 'name=absent'"));

		ResponseEntity<Map<String, Object>> answer = http.get()
			.uri("/peers/name=absent/routing/work")
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "0")
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(Duration.ofSeconds(2));
		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(answer.getBody()).containsEntry("detail", "No live connection matches selector 'name=absent'");
		assertThat(waiters.waiting()).isZero();
	}

	@Test
	void webClientCallsBeyondTheLimitFailAtOnceWithBoundedMemory() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		System.gc();
		long baseline = memory.getHeapMemoryUsage().getUsed();
		PeerWaiters limited = floodWaiters;
		WebClient client = floodHub.getBean(SwaggerSocketWebClients.class)
			.webClient(PeerSelector.of("name", "never"),
					RoutingOptions.DEFAULTS.withWaitTimeout(Duration.ofMinutes(1)));
		AtomicInteger most = new AtomicInteger();
		AtomicInteger turnedAway = new AtomicInteger();
		AtomicInteger otherwise = new AtomicInteger();
		List<Disposable> calls = new ArrayList<>();
		long started = System.nanoTime();
		for (int i = 0; i < 10_000; i++) {
			calls.add(client.get()
				.uri("/routing/work")
				.retrieve()
				.bodyToMono(String.class)
				.subscribe((body) -> otherwise.incrementAndGet(), (ex) -> {
					if (Causes.root(ex) instanceof SwaggerSocketTooManyWaitingException) {
						turnedAway.incrementAndGet();
					}
					else {
						otherwise.incrementAndGet();
					}
				}));
			most.accumulateAndGet(limited.waiting(), Math::max);
		}

		System.out.printf("10,000 WebClient calls for an absent peer: %d failed at once, in %d ms%n", turnedAway.get(),
				(System.nanoTime() - started) / 1_000_000);
		// the excess failed at once, while the first ones still wait
		assertThat(turnedAway).hasValue(10_000 - MAX_WAITING);
		assertThat(limited.waiting()).isEqualTo(MAX_WAITING);
		assertThat(most).hasValue(MAX_WAITING);
		System.gc();
		long growth = memory.getHeapMemoryUsage().getUsed() - baseline;
		System.out.printf("10,000 WebClient calls for an absent peer, %d waiting: heap growth after GC %.1f MiB%n",
				MAX_WAITING, growth / (1024.0 * 1024));
		assertThat(growth).isLessThan(64L * 1024 * 1024);

		// cancelled by their callers, they stop waiting
		calls.forEach(Disposable::dispose);
		await().atMost(Duration.ofSeconds(5)).until(() -> limited.waiting() == 0);
		assertThat(otherwise).hasValue(0);
	}

	@Test
	void gatewayRequestsBeyondTheLimitAre503WithBoundedMemory() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		System.gc();
		long baseline = memory.getHeapMemoryUsage().getUsed();
		PeerWaiters limited = floodWaiters;
		ConnectionProvider pool = ConnectionProvider.builder("flood").maxConnections(300).build();
		try {
			WebClient flood = WebClient.builder()
				.baseUrl("http://127.0.0.1:" + TestApplications.port(floodHub))
				.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
				.build();
			AtomicInteger most = new AtomicInteger();
			AtomicBoolean done = new AtomicBoolean();
			Thread sampler = new Thread(() -> {
				while (!done.get()) {
					most.accumulateAndGet(limited.waiting(), Math::max);
					Thread.onSpinWait();
				}
			});
			sampler.start();
			AtomicInteger unavailable = new AtomicInteger();
			AtomicInteger otherwise = new AtomicInteger();
			Disposable calls = Flux.range(0, 10_000)
				.flatMap(
						(i) -> flood.get()
							.uri("/peers/name=never/routing/work")
							.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "600")
							.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode())),
						256)
				.subscribe((status) -> {
					if (status == HttpStatus.SERVICE_UNAVAILABLE) {
						unavailable.incrementAndGet();
					}
					else {
						otherwise.incrementAndGet();
					}
				});
			long started = System.nanoTime();
			await().atMost(Duration.ofSeconds(60)).until(() -> unavailable.get() == 10_000 - MAX_WAITING);
			System.out.printf("10,000 gateway requests for an absent peer: %d answered 503 in %d ms%n",
					unavailable.get(), (System.nanoTime() - started) / 1_000_000);
			assertThat(limited.waiting()).isEqualTo(MAX_WAITING);
			System.gc();
			long growth = memory.getHeapMemoryUsage().getUsed() - baseline;
			System.out.printf("10,000 gateway requests for an absent peer, %d waiting: heap growth after GC %.1f MiB%n",
					MAX_WAITING, growth / (1024.0 * 1024));

			// the callers go away: their requests stop waiting
			calls.dispose();
			await().atMost(Duration.ofSeconds(5)).until(() -> limited.waiting() == 0);
			done.set(true);
			assertThat(most).hasValue(MAX_WAITING);
			assertThat(otherwise).hasValue(0);
			assertThat(growth).isLessThan(64L * 1024 * 1024);
		}
		finally {
			pool.dispose();
		}
	}

	@Test
	void aWaitingGatewayRequestWhoseCallerGoesAwayStopsWaiting() {
		Disposable call = http.get()
			.uri("/peers/name=never/routing/work")
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "5")
			.retrieve()
			.toBodilessEntity()
			.subscribe(null, (ex) -> {
			});
		await().atMost(Duration.ofSeconds(5)).until(() -> waiters.waiting() == 1);

		call.dispose();

		await().atMost(Duration.ofSeconds(3)).until(() -> waiters.waiting() == 0);
	}

	@Test
	void anInvalidOrNegativeWaitIsA400() {
		for (String wait : List.of("soon", "-1", "", "1s", "NaN", "-0.5")) {
			ResponseEntity<Map<String, Object>> answer = http.get()
				.uri("/peers/name=never/routing/work")
				.header(SwaggerSocketGatewayHandler.WAIT_HEADER, wait)
				.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
				}))
				.block(Duration.ofSeconds(5));

			assertThat(answer.getStatusCode()).as(wait).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat((String) answer.getBody().get("detail")).as(wait)
				.startsWith(SwaggerSocketGatewayHandler.WAIT_HEADER + " must");
		}
		assertThat(waiters.waiting()).isZero();
	}

	@Test
	void aWaitAboveTheMostIsCappedAtIt() {
		ResponseEntity<Map<String, Object>> answer = http.get()
			.uri(URI.create("http://127.0.0.1:" + TestApplications.port(hub) + "/peers/name=never/routing/work"))
			.header(SwaggerSocketGatewayHandler.WAIT_HEADER, "86400")
			.exchangeToMono((response) -> response.toEntity(new ParameterizedTypeReference<Map<String, Object>>() {
			}))
			.block(MAX_WAIT_TIMEOUT.plusSeconds(10));

		assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(answer.getBody()).containsEntry("detail",
				"No live connection matched selector 'name=never' within " + MAX_WAIT_TIMEOUT.toMillis() + " ms");
	}

}
