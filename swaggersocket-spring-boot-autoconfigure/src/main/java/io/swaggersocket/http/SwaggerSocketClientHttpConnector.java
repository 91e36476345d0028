package io.swaggersocket.http;

import java.net.URI;
import java.util.function.Function;
import java.util.function.Supplier;

import io.swaggersocket.connection.SwaggerSocketConnection;
import io.swaggersocket.connection.SwaggerSocketConnectionClosedException;
import io.swaggersocket.connection.SwaggerSocketStreamResetException;
import io.swaggersocket.protocol.Header;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * A {@link ClientHttpConnector} that sends each request over a SwaggerSocket connection,
 * as one stream, to the peer's {@code HttpHandler}. The request URI's path and query
 * travel; its authority becomes the Host header (unless one is set), scheme and port are
 * ignored.
 *
 * <p>
 * Errors: {@link SwaggerSocketConnectionClosedException} when there is no open connection
 * or it ends during the call; {@code SwaggerSocketStreamRefusedException} when the peer
 * refused the stream (safe to retry); {@link SwaggerSocketStreamResetException} when it
 * was reset. {@code WebClient} wraps errors before the response in
 * {@code WebClientRequestException}.
 */
public final class SwaggerSocketClientHttpConnector implements ClientHttpConnector {

	/**
	 * The base URL for {@code WebClient}s bound to a connection; its host becomes the
	 * Host header.
	 */
	public static final String DEFAULT_BASE_URL = "http://" + SocketRequestDispatcher.DEFAULT_HOST;

	private final Supplier<@Nullable SwaggerSocketConnection> connection;

	/**
	 * Create a connector bound to one connection.
	 * @param connection the connection
	 */
	public SwaggerSocketClientHttpConnector(SwaggerSocketConnection connection) {
		this(() -> connection);
	}

	/**
	 * Create a connector that uses whatever connection the supplier returns at each
	 * request, for example the client's current connection to its server.
	 * @param connection supplies the connection, or {@code null} while there is none
	 */
	public SwaggerSocketClientHttpConnector(Supplier<@Nullable SwaggerSocketConnection> connection) {
		this.connection = connection;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return Mono.defer(() -> {
			SwaggerSocketConnection connection = this.connection.get();
			if (connection == null || !connection.isOpen()) {
				return Mono.error(new SwaggerSocketConnectionClosedException("No open SwaggerSocket connection"));
			}
			SocketClientHttpRequest request = new SocketClientHttpRequest(method, uri);
			return requestCallback.apply(request)
				.then(Mono.defer(() -> connection.exchange(request.wireHeaders(), request.body())))
				// the stream layer passes on only responses with a well-formed :status
				.map((message) -> new SocketClientHttpResponse(HttpStatusCode.valueOf(Header.status(message.headers())),
						message));
		});
	}

}
