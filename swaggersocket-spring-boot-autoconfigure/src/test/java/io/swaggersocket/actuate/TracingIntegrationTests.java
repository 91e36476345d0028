package io.swaggersocket.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Tracer;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.http.SwaggerSocketWebClients;
import io.swaggersocket.test.TestApplications;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static io.swaggersocket.test.TestApplications.events;
import static io.swaggersocket.test.TestApplications.socketUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With tracing in both applications, a trace crosses the socket: the caller's WebClient
 * observation injects the propagation header as an ordinary header, and the callee's
 * server observation continues the same trace.
 */
class TracingIntegrationTests {

	private static final String[] TRACING = { "management.tracing.sampling.probability=1.0",
			"spring.main.sources=" + TracingConfiguration.class.getName() };

	private final TestApplications apps = new TestApplications();

	@AfterEach
	void close() {
		this.apps.close();
	}

	@Test
	void traceContinuesAcrossTheSocket() {
		ConfigurableApplicationContext caller = this.apps.server(TRACING);
		ConfigurableApplicationContext callee = this.apps.client(socketUrl(caller), TRACING);
		SwaggerSocketConnection connection = events(caller).await(SwaggerSocketConnectedEvent.class).getConnection();
		events(callee).await(SwaggerSocketConnectedEvent.class);

		Observation parent = Observation.start("test.parent", caller.getBean(ObservationRegistry.class));
		String traceId;
		String propagated;
		try (Observation.Scope scope = parent.openScope()) {
			traceId = caller.getBean(Tracer.class).currentSpan().context().traceId();
			propagated = caller.getBean(SwaggerSocketWebClients.class)
				.webClient(connection)
				.get()
				.uri("/trace/headers")
				.retrieve()
				.bodyToMono(String.class)
				.contextWrite((context) -> context.put(ObservationThreadLocalAccessor.KEY, parent))
				.block(Duration.ofSeconds(5));
		}
		finally {
			parent.stop();
		}

		assertThat(propagated).contains(traceId);
		SpanRecorder calleeSpans = callee.getBean(SpanRecorder.class);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> calleeSpans.spans.stream().anyMatch((span) -> span.kind() == brave.Span.Kind.SERVER));
		MutableSpan served = calleeSpans.spans.stream()
			.filter((span) -> span.kind() == brave.Span.Kind.SERVER)
			.findFirst()
			.orElseThrow();
		assertThat(served.traceId()).isEqualTo(traceId);
		assertThat(served.tag("uri")).isEqualTo("/trace/headers");
	}

	@Configuration(proxyBeanMethods = false)
	static class TracingConfiguration {

		@Bean
		SpanRecorder spanRecorder() {
			return new SpanRecorder();
		}

		@Bean
		RouterFunction<ServerResponse> traceRoutes() {
			return RouterFunctions.route()
				.GET("/trace/headers",
						(request) -> ServerResponse.ok()
							.bodyValue(String.valueOf(request.headers().firstHeader("traceparent")) + " "
									+ request.headers().firstHeader("b3")))
				.build();
		}

	}

	static class SpanRecorder extends SpanHandler {

		final List<MutableSpan> spans = new CopyOnWriteArrayList<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			this.spans.add(span);
			return true;
		}

	}

}
