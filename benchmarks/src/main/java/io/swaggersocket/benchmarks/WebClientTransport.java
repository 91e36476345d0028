package io.swaggersocket.benchmarks;

import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The echo and the large bodies through a {@link WebClient}: over HTTP/1.1 or over a
 * SwaggerSocket connection, depending on the client's connector. The calls are identical.
 */
final class WebClientTransport implements Transport, BulkTransport {

	private final String name;

	private final WebClient webClient;

	private final boolean callerIsServer;

	WebClientTransport(String name, WebClient webClient, boolean callerIsServer) {
		this.name = name;
		this.webClient = webClient;
		this.callerIsServer = callerIsServer;
	}

	@Override
	public boolean callerIsServer() {
		return this.callerIsServer;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Mono<Long> echo(long sequence) {
		return this.webClient.post()
			.uri("/echo")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(EchoMessage.of(sequence))
			.retrieve()
			.bodyToMono(EchoMessage.class)
			.map(EchoMessage::sequence);
	}

	@Override
	public Mono<Long> download(long size) {
		return Chunks
			.count(this.webClient.get().uri("/download?size={size}", size).retrieve().bodyToFlux(DataBuffer.class));
	}

	@Override
	public Mono<Long> upload(long size) {
		return this.webClient.post()
			.uri("/upload")
			.contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(BodyInserters.fromDataBuffers(Chunks.body(size)))
			.retrieve()
			.bodyToMono(Received.class)
			.map(Received::bytes);
	}

}
