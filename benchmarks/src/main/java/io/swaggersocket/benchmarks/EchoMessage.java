package io.swaggersocket.benchmarks;

import java.util.List;

/**
 * The small JSON document every transport echoes (about 120 bytes as JSON).
 *
 * @param sequence a number that changes per request
 * @param name a short text
 * @param tags a few short texts
 * @param ok a flag
 */
record EchoMessage(long sequence, String name, List<String> tags, boolean ok) {

	static EchoMessage of(long sequence) {
		return new EchoMessage(sequence, "swaggersocket-benchmark", List.of("alpha", "beta", "gamma"), true);
	}

}
