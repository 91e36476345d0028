package io.swaggersocket.benchmarks;

import reactor.core.publisher.Mono;

import org.springframework.messaging.rsocket.RSocketRequester;

/**
 * The echo as RSocket request-response over one WebSocket connection, JSON data.
 */
final class RSocketTransport implements Transport {

	private final RSocketRequester requester;

	RSocketTransport(RSocketRequester requester) {
		this.requester = requester;
	}

	@Override
	public String name() {
		return Report.RSOCKET;
	}

	@Override
	public Mono<Long> echo(long sequence) {
		return this.requester.route("echo")
			.data(EchoMessage.of(sequence))
			.retrieveMono(EchoMessage.class)
			.map(EchoMessage::sequence);
	}

}
