package io.swaggersocket.benchmarks;

import reactor.core.publisher.Mono;

/**
 * One way of reaching the echo handler.
 */
interface Transport {

	/**
	 * Return the name shown in the report.
	 * @return the name
	 */
	String name();

	/**
	 * Send one small JSON document and receive it back.
	 * @param sequence the request's number
	 * @return completes with the echoed sequence number
	 */
	Mono<Long> echo(long sequence);

}
