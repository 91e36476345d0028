package io.swaggersocket.connection;

import java.util.concurrent.atomic.LongAdder;

import io.swaggersocket.protocol.ErrorCode;

/**
 * The live counters behind {@link ConnectionStatistics}; what they count goes to the
 * application's {@link SwaggerSocketObserver} as well.
 */
final class ConnectionCounters {

	private final ConnectionRole role;

	private final SwaggerSocketObserver observer;

	private final LongAdder requestsInbound = new LongAdder();

	private final LongAdder requestsOutbound = new LongAdder();

	private final LongAdder bytesInbound = new LongAdder();

	private final LongAdder bytesOutbound = new LongAdder();

	private final LongAdder streamsReset = new LongAdder();

	ConnectionCounters(ConnectionRole role, SwaggerSocketObserver observer) {
		this.role = role;
		this.observer = observer;
	}

	void requestOpened(boolean inbound) {
		(inbound ? this.requestsInbound : this.requestsOutbound).increment();
	}

	void bytes(boolean inbound, int bytes) {
		(inbound ? this.bytesInbound : this.bytesOutbound).add(bytes);
		this.observer.bytesTransferred(this.role, inbound, bytes);
	}

	void streamReset(ErrorCode errorCode, boolean sent) {
		this.streamsReset.increment();
		this.observer.streamReset(errorCode, sent);
	}

	ConnectionStatistics snapshot() {
		return new ConnectionStatistics(this.requestsInbound.sum(), this.requestsOutbound.sum(),
				this.bytesInbound.sum(), this.bytesOutbound.sum(), this.streamsReset.sum());
	}

}
