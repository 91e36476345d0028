package io.swaggersocket.connection;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link ConnectionStatistics}.
 */
final class ConnectionCounters {

	final LongAdder requestsInbound = new LongAdder();

	final LongAdder requestsOutbound = new LongAdder();

	final LongAdder bytesInbound = new LongAdder();

	final LongAdder bytesOutbound = new LongAdder();

	final LongAdder streamsReset = new LongAdder();

	ConnectionStatistics snapshot() {
		return new ConnectionStatistics(this.requestsInbound.sum(), this.requestsOutbound.sum(),
				this.bytesInbound.sum(), this.bytesOutbound.sum(), this.streamsReset.sum());
	}

}
