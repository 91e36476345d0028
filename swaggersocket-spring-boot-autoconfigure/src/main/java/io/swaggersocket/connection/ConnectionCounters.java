package io.swaggersocket.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.swaggersocket.protocol.ErrorCode;

/**
 * The live counters behind {@link ConnectionStatistics}; what they count goes to the
 * application's {@link SwaggerSocketObserver} as well.
 *
 * <p>
 * Plain fields added to atomically rather than five {@code LongAdder}s: one small object
 * per connection, which matters on a hub holding thousands of idle ones, and a single
 * atomic add per update.
 */
final class ConnectionCounters {

	private static final VarHandle REQUESTS_INBOUND = handle("requestsInbound");

	private static final VarHandle REQUESTS_OUTBOUND = handle("requestsOutbound");

	private static final VarHandle BYTES_INBOUND = handle("bytesInbound");

	private static final VarHandle BYTES_OUTBOUND = handle("bytesOutbound");

	private static final VarHandle STREAMS_RESET = handle("streamsReset");

	private final ConnectionRole role;

	private final SwaggerSocketObserver observer;

	private volatile long requestsInbound;

	private volatile long requestsOutbound;

	private volatile long bytesInbound;

	private volatile long bytesOutbound;

	private volatile long streamsReset;

	ConnectionCounters(ConnectionRole role, SwaggerSocketObserver observer) {
		this.role = role;
		this.observer = observer;
	}

	void requestOpened(boolean inbound) {
		(inbound ? REQUESTS_INBOUND : REQUESTS_OUTBOUND).getAndAdd(this, 1L);
	}

	void bytes(boolean inbound, int bytes) {
		(inbound ? BYTES_INBOUND : BYTES_OUTBOUND).getAndAdd(this, (long) bytes);
		this.observer.bytesTransferred(this.role, inbound, bytes);
	}

	void streamReset(ErrorCode errorCode, boolean sent) {
		STREAMS_RESET.getAndAdd(this, 1L);
		this.observer.streamReset(errorCode, sent);
	}

	ConnectionStatistics snapshot() {
		return new ConnectionStatistics(this.requestsInbound, this.requestsOutbound, this.bytesInbound,
				this.bytesOutbound, this.streamsReset);
	}

	private static VarHandle handle(String field) {
		try {
			return MethodHandles.lookup().findVarHandle(ConnectionCounters.class, field, long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
