package io.swaggersocket.test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.swaggersocket.http.SwaggerSocketExchanges;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

/**
 * The API every test application serves: a RouterFunction and a controller covering the
 * HTTP features the socket must carry, plus streaming endpoints. The nested controllers
 * are registered as member classes of this configuration.
 */
@Configuration(proxyBeanMethods = false)
public class TestEndpoints {

	/** Signals seen by streaming handlers, for cancellation tests. */
	public static final List<String> signals = new CopyOnWriteArrayList<>();

	/**
	 * How often {@code /routing/work} ran per {@code X-Call} header value, on any
	 * application of the test JVM: a call that ran twice shows here.
	 */
	public static final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

	/**
	 * How often {@code /routing/work} ran per application, by its
	 * {@code swaggersocket.client.metadata.name}.
	 */
	public static final Map<String, AtomicInteger> executionsByName = new ConcurrentHashMap<>();

	/**
	 * {@code /routing/work} (any method): counts the run under the {@code X-Call}
	 * header's value and this application's metadata name, waits {@code ms} milliseconds
	 * if asked, and answers the name.
	 */
	@Bean
	RouterFunction<ServerResponse> routingRoutes(Environment environment) {
		String name = environment.getProperty("swaggersocket.client.metadata.name", "unnamed");
		return RouterFunctions.route()
			.route(RequestPredicates.path("/routing/work"),
					(request) -> request.bodyToMono(String.class).defaultIfEmpty("").flatMap((body) -> {
						String call = request.headers().firstHeader("X-Call");
						if (call != null) {
							executions.computeIfAbsent(call, (key) -> new AtomicInteger()).incrementAndGet();
						}
						executionsByName.computeIfAbsent(name, (key) -> new AtomicInteger()).incrementAndGet();
						long ms = request.queryParam("ms").map(Long::parseLong).orElse(0L);
						Mono<ServerResponse> answer = ServerResponse.ok().bodyValue(name);
						return (ms > 0) ? Mono.delay(Duration.ofMillis(ms)).then(answer) : answer;
					}))
			.build();
	}

	/**
	 * {@code /parked/{key}} answers with the {@link ParkedPublishers parked publisher}
	 * under its key, {@code /parked-body/{key}} with a 200 whose body it is: the test
	 * decides when and how the handler signals. {@code /gate/{key}} computes its answer
	 * in a supplier that waits at the {@link ParkedPublishers#gate gate} under its key
	 * and then fails, as work already under way when the handling is cancelled.
	 */
	@Bean
	RouterFunction<ServerResponse> parkedRoutes() {
		return RouterFunctions.route()
			.GET("/parked/{key}",
					(request) -> Mono.from(ParkedPublishers.<ServerResponse>get(request.pathVariable("key"))))
			.GET("/gate/{key}", (request) -> {
				ParkedPublishers.Gate gate = ParkedPublishers.gate(request.pathVariable("key"));
				return Mono.fromSupplier(() -> {
					if (gate.pass()) {
						throw new IllegalStateException("late failure of a cancelled handler");
					}
					return "not gated on this thread";
				}).doFinally((signal) -> {
					// after the cancel has reached the supplier
					if (signal == SignalType.CANCEL) {
						gate.cancelled();
					}
				}).flatMap((body) -> ServerResponse.ok().bodyValue(body));
			})
			.GET("/parked-body/{key}",
					(request) -> ServerResponse.ok()
						.contentType(MediaType.APPLICATION_OCTET_STREAM)
						.body(BodyInserters
							.fromDataBuffers(Flux.from(ParkedPublishers.<DataBuffer>get(request.pathVariable("key"))))))
			.build();
	}

	@Bean
	WebFilter addsHeader() {
		return (exchange, chain) -> {
			exchange.getResponse().getHeaders().add("X-Filtered", "yes");
			return chain.filter(exchange);
		};
	}

	@Bean
	RouterFunction<ServerResponse> functionalRoutes() {
		return RouterFunctions.route()
			.GET("/fn/echo",
					(request) -> ServerResponse.ok().bodyValue(Map.of("q", request.queryParam("q").orElse(""))))
			.GET("/fn/whoami",
					(request) -> request.principal()
						.map(java.security.Principal::getName)
						.defaultIfEmpty("anonymous")
						.flatMap((name) -> ServerResponse.ok().bodyValue(name)))
			.GET("/admin/secret", (request) -> ServerResponse.ok().bodyValue("secret"))
			.GET("/fn/where",
					(request) -> ServerResponse.ok()
						.bodyValue(SwaggerSocketExchanges.connection(request.exchange())
							.map((connection) -> Map.of("connection", connection.id(), "metadata",
									connection.info().metadata(), "uri", request.uri().toString()))
							.orElse(Map.of("uri", request.uri().toString()))))
			.POST("/fn/json", (request) -> request.bodyToMono(Map.class)
				.flatMap((body) -> ServerResponse.status(HttpStatus.CREATED).bodyValue(Map.of("received", body))))
			.PUT("/fn/items/{id}",
					(request) -> request.bodyToMono(String.class)
						.flatMap((body) -> ServerResponse.ok().bodyValue(request.pathVariable("id") + "=" + body)))
			.DELETE("/fn/items/{id}", (request) -> ServerResponse.noContent().build())
			.GET("/fn/headers",
					(request) -> ServerResponse.ok()
						.header("X-Echo", request.headers().firstHeader("X-Custom"))
						.cookie(ResponseCookie.from("session", "abc123").path("/").httpOnly(true).build())
						.bodyValue("cookie=" + request.cookies().getFirst("flavour").getValue()))
			.POST("/fn/binary",
					(request) -> ServerResponse.ok()
						.contentType(MediaType.APPLICATION_OCTET_STREAM)
						.body(request.bodyToMono(byte[].class).map(TestEndpoints::reverse), byte[].class))
			.build();
	}

	static byte[] reverse(byte[] bytes) {
		byte[] reversed = new byte[bytes.length];
		for (int i = 0; i < bytes.length; i++) {
			reversed[i] = bytes[bytes.length - 1 - i];
		}
		return reversed;
	}

	@RestController
	@RequestMapping("/mvc")
	static class ApiController {

		@GetMapping("/echo")
		Map<String, Object> echo(@RequestParam String q) {
			return Map.of("q", q);
		}

		@GetMapping("/delay")
		Mono<String> delay(@RequestParam long ms) {
			return Mono.just("done after " + ms).delayElement(Duration.ofMillis(ms));
		}

		/**
		 * Answers late and never reads the request body: its sender runs out of credit.
		 */
		@PostMapping("/hold")
		Mono<String> hold() {
			return Mono.just("late").delayElement(Duration.ofSeconds(30));
		}

		@GetMapping("/slow")
		Mono<String> slow() {
			return Mono.just("late").delayElement(Duration.ofSeconds(30));
		}

		@PostMapping("/json")
		@org.springframework.web.bind.annotation.ResponseStatus(HttpStatus.CREATED)
		Map<String, Object> json(@RequestBody Map<String, Object> body) {
			return Map.of("received", body);
		}

		@PutMapping("/items/{id}")
		String put(@PathVariable String id, @RequestBody String body) {
			return id + "=" + body;
		}

		@DeleteMapping("/items/{id}")
		ResponseEntity<Void> delete(@PathVariable String id) {
			return ResponseEntity.noContent().build();
		}

		@GetMapping("/headers")
		ResponseEntity<String> headers(@RequestHeader("X-Custom") String custom,
				@org.springframework.web.bind.annotation.CookieValue("flavour") String flavour) {
			return ResponseEntity.ok()
				.header("X-Echo", custom)
				.header("Set-Cookie",
						ResponseCookie.from("session", "abc123").path("/").httpOnly(true).build().toString())
				.body("cookie=" + flavour);
		}

		@PostMapping(path = "/binary", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		byte[] binary(@RequestBody byte[] body) {
			return reverse(body);
		}

		@GetMapping("/fail")
		String fail() {
			throw new IllegalStateException("boom");
		}

		@GetMapping("/id/{id}")
		Mono<String> id(@PathVariable String id) {
			return Mono.just(id).delayElement(Duration.ofMillis(1));
		}

		@ExceptionHandler(IllegalStateException.class)
		ResponseEntity<Map<String, String>> handle(IllegalStateException ex) {
			return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(Map.of("error", ex.getMessage()));
		}

	}

	@RestController
	@RequestMapping("/stream")
	static class StreamingController {

		@GetMapping(path = "/sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		Flux<ServerSentEvent<String>> sse() {
			return Flux.interval(Duration.ofMillis(200))
				.take(10)
				.map((i) -> ServerSentEvent.builder("event-" + i).id(Long.toString(i)).build())
				.doOnNext((event) -> signals.add("produced " + event.data()));
		}

		/**
		 * {@code size} bytes of a repeating pattern, in 64 KiB buffers generated on
		 * demand.
		 */
		@GetMapping(path = "/download", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		Flux<DataBuffer> download(@RequestParam long size) {
			return pattern(size);
		}

		/**
		 * {@code size} bytes as 64 KiB views of one shared array: a body whose production
		 * allocates no bytes of its own, for tests that count what the transport
		 * allocates.
		 */
		@GetMapping(path = "/shared", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
		Flux<DataBuffer> shared(@RequestParam long size) {
			return sharedViews(size);
		}

		/**
		 * Counts the body's bytes, releasing each buffer, and allocates nothing per byte.
		 */
		@PostMapping(path = "/count")
		Mono<Long> count(@RequestBody Flux<DataBuffer> body) {
			// mapped, not peeked: see upload
			return body.map((buffer) -> {
				long length = buffer.readableByteCount();
				DataBufferUtils.release(buffer);
				return length;
			}).reduce(0L, Long::sum);
		}

		@PostMapping(path = "/upload")
		Mono<Map<String, Object>> upload(@RequestBody Flux<DataBuffer> body) {
			MessageDigest digest = sha256();
			// mapped, not peeked: count() discards what it counts, and WebFlux's discard
			// hook would release a buffer released here a second time
			return body.map((buffer) -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				digest.update(bytes);
				DataBufferUtils.release(buffer);
				return bytes.length;
			})
				.doOnError((ex) -> signals.add("upload interrupted"))
				.doOnCancel(() -> signals.add("upload interrupted"))
				.count()
				.map((count) -> Map.of("sha256", HexFormat.of().formatHex(digest.digest())));
		}

		/**
		 * Three events at once: a response that ends while the caller may still be
		 * closing.
		 */
		@GetMapping(path = "/short-sse", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		Flux<ServerSentEvent<String>> shortSse() {
			return Flux.range(0, 3).map((i) -> ServerSentEvent.builder("short-" + i).build());
		}

		@GetMapping(path = "/endless", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
		Flux<String> endless() {
			return Flux.interval(Duration.ofMillis(50))
				.map((i) -> "tick-" + i)
				.doOnCancel(() -> signals.add("endless cancelled"));
		}

		@GetMapping("/fail-midway")
		Flux<String> failMidway() {
			return Flux.concat(Flux.just("first\n", "second\n"), Mono.error(new IllegalStateException("mid-body")));
		}

	}

	/** The bytes {@code download} serves: byte i is {@code (i * 31 + 7) & 0xFF}. */
	public static Flux<DataBuffer> pattern(long size) {
		int chunk = 64 * 1024;
		return Flux.generate(() -> 0L, (offset, sink) -> {
			if (offset >= size) {
				sink.complete();
				return offset;
			}
			int length = (int) Math.min(chunk, size - offset);
			byte[] bytes = new byte[length];
			for (int i = 0; i < length; i++) {
				bytes[i] = (byte) (((offset + i) * 31 + 7) & 0xFF);
			}
			sink.next(DefaultDataBufferFactory.sharedInstance.wrap(bytes));
			return offset + length;
		});
	}

	private static final byte[] SHARED = new byte[64 * 1024];

	/**
	 * {@code size} bytes as views of one shared array, each wrapped by
	 * {@link DefaultDataBufferFactory}: heap buffers that cost no allocation per byte.
	 */
	public static Flux<DataBuffer> sharedViews(long size) {
		return Flux.generate(() -> 0L, (offset, sink) -> {
			if (offset >= size) {
				sink.complete();
				return offset;
			}
			int length = (int) Math.min(SHARED.length, size - offset);
			sink.next(DefaultDataBufferFactory.sharedInstance.wrap(ByteBuffer.wrap(SHARED, 0, length).slice()));
			return offset + length;
		});
	}

	public static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static String sha256Hex(long size) {
		MessageDigest digest = sha256();
		pattern(size).doOnNext((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			digest.update(bytes);
		}).blockLast();
		return HexFormat.of().formatHex(digest.digest());
	}

	static String utf8(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
