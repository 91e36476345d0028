package io.swaggersocket.connection;

import java.time.Duration;
import java.util.List;

import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;

/**
 * How a stream ended, for the {@code swaggersocket.requests} meter and the logs.
 */
final class StreamOutcomes {

	private final SwaggerSocketObserver observer;

	private final ConnectionRole role;

	StreamOutcomes(SwaggerSocketObserver observer, ConnectionRole role) {
		this.observer = observer;
		this.role = role;
	}

	/**
	 * Record the exchange of a stream that ended.
	 * @param stream the stream
	 * @param outcome the outcome tag
	 */
	void record(Stream stream, String outcome) {
		String method = stream.method;
		if (method == null) {
			return;
		}
		this.observer.exchangeCompleted(
				new SwaggerSocketObserver.ExchangeRecord(this.role, !stream.local, method, stream.status, outcome,
						Duration.ofNanos(System.nanoTime() - stream.startNanos), stream.local ? stream.attempt : 0));
	}

	static String method(@Nullable List<Header> headers) {
		String method = (headers != null) ? Header.pseudo(headers, Header.METHOD) : null;
		return (method != null) ? method : "UNKNOWN";
	}

	static String outcome(int status) {
		if (status >= 500) {
			return "SERVER_ERROR";
		}
		if (status >= 400) {
			return "CLIENT_ERROR";
		}
		if (status >= 300) {
			return "REDIRECTION";
		}
		if (status >= 200) {
			return "SUCCESS";
		}
		return (status >= 100) ? "INFORMATIONAL" : "UNKNOWN";
	}

	static String outcome(@Nullable ErrorCode sent, Throwable failure) {
		if (failure instanceof SwaggerSocketStreamRefusedException || sent == ErrorCode.REFUSED_STREAM) {
			return "REFUSED";
		}
		if (sent == ErrorCode.CANCEL || (failure instanceof SwaggerSocketStreamResetException reset
				&& reset.getErrorCode() == ErrorCode.CANCEL)) {
			return "CANCELLED";
		}
		return "RESET";
	}

	static List<String> pseudoHeaders(List<Header> headers) {
		return headers.stream()
			.filter((header) -> header.name().startsWith(":"))
			.map((header) -> header.name() + "=" + header.value())
			.toList();
	}

}
