package io.swaggersocket.benchmarks;

import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.stereotype.Controller;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The application both the hub and the agent run: a WebFlux API with the SwaggerSocket
 * starter (so each serves it to the other over the socket), and an RSocket {@code echo}
 * route (served by the hub over WebSocket at {@code /rsocket}).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class EchoApplication {

	/**
	 * {@code POST /echo} answers the JSON document it received;
	 * {@code GET /download?size=} streams that many bytes; {@code POST /upload} counts
	 * the body's bytes.
	 * @return the routes
	 */
	@Bean
	RouterFunction<ServerResponse> benchmarkRoutes() {
		return RouterFunctions.route()
			.POST("/echo", (request) -> request.bodyToMono(EchoMessage.class)
				.flatMap((message) -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(message)))
			.GET("/download",
					(request) -> ServerResponse.ok()
						.contentType(MediaType.APPLICATION_OCTET_STREAM)
						.body(BodyInserters
							.fromDataBuffers(Chunks.body(Long.parseLong(request.queryParam("size").orElse("0"))))))
			.POST("/upload",
					(request) -> Chunks.count(request.bodyToFlux(DataBuffer.class))
						.flatMap((count) -> ServerResponse.ok().bodyValue(new Received(count))))
			.build();
	}

	/**
	 * The same echo as an RSocket request-response route (registered as a member class).
	 */
	@Controller
	static class RSocketEcho {

		@MessageMapping("echo")
		Mono<EchoMessage> echo(EchoMessage message) {
			return Mono.just(message);
		}

	}

}
