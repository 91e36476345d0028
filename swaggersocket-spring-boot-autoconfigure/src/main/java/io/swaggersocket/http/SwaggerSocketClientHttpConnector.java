package io.swaggersocket.http;

import java.net.URI;
import java.util.function.Function;
import java.util.function.LongFunction;
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
import org.springframework.util.Assert;

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

	private final @Nullable Supplier<@Nullable SwaggerSocketConnection> connection;

	private final @Nullable LongFunction<Mono<SwaggerSocketConnection>> chosenConnection;

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
		this.chosenConnection = null;
	}

	private SwaggerSocketClientHttpConnector(LongFunction<Mono<SwaggerSocketConnection>> chosenConnection) {
		this.connection = null;
		this.chosenConnection = chosenConnection;
	}

	/**
	 * Create a connector that chooses the connection for each request once the request is
	 * written, by the body it sends; the connection is then used whether open or not.
	 * @param connection the connection for a request, given the length of the body it
	 * sends: its {@code Content-Length}, {@code -1} if it sends a body of unknown length,
	 * {@code 0} if it sends none
	 * @return the connector
	 */
	public static SwaggerSocketClientHttpConnector choosing(LongFunction<Mono<SwaggerSocketConnection>> connection) {
		return new SwaggerSocketClientHttpConnector(connection);
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		LongFunction<Mono<SwaggerSocketConnection>> chosenConnection = this.chosenConnection;
		if (chosenConnection != null) {
			return Mono.defer(() -> {
				SocketClientHttpRequest request = new SocketClientHttpRequest(method, uri);
				return requestCallback.apply(request)
					.then(Mono.defer(() -> chosenConnection.apply(request.bodyLength())))
					.flatMap((connection) -> exchange(connection, request));
			});
		}
		Supplier<@Nullable SwaggerSocketConnection> supplier = this.connection;
		Assert.state(supplier != null, "A connector has a connection or chooses one");
		return Mono.defer(() -> {
			SwaggerSocketConnection connection = supplier.get();
			if (connection == null || !connection.isOpen()) {
				return Mono.error(new SwaggerSocketConnectionClosedException("No open SwaggerSocket connection"));
			}
			SocketClientHttpRequest request = new SocketClientHttpRequest(method, uri);
			return requestCallback.apply(request).then(Mono.defer(() -> exchange(connection, request)));
		});
	}

	private static Mono<ClientHttpResponse> exchange(SwaggerSocketConnection connection,
			SocketClientHttpRequest request) {
		return connection.exchange(request.wireHeaders(), request.body())
			// the stream layer passes on only responses with a well-formed :status
			.map((message) -> new SocketClientHttpResponse(HttpStatusCode.valueOf(Header.status(message.headers())),
					message));
	}

}
