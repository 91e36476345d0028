package io.swaggersocket.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.HandshakeException;
import io.swaggersocket.connection.Lifecycles;
import io.swaggersocket.connection.SwaggerSocketConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;

/**
 * Dials the server on start-up, in the background, and again after every loss, forever,
 * with exponential backoff and jitter. Stops with the application context: the open
 * connection is closed in an orderly way and no further attempt is made.
 */
public final class SwaggerSocketClient implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(SwaggerSocketClient.class);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

	private final URI url;

	private final Supplier<Map<String, Object>> metadata;

	private final Supplier<HttpHeaders> headers;

	private final ReconnectPolicy reconnect;

	private final ConnectionManager connectionManager;

	private final ReactorNettyWebSocketClient webSocketClient;

	private volatile boolean running;

	private volatile @Nullable Disposable loop;

	private volatile @Nullable SwaggerSocketConnection connection;

	private volatile Sinks.Empty<Void> loopDone = Sinks.empty();

	private volatile Status status = new Status(null, null, 0);

	/**
	 * Create a client that dials with the connection manager's shared Reactor Netty
	 * client: every client built this way on the same manager shares it.
	 * @param url the server's WebSocket URL ({@code ws://} or {@code wss://})
	 * @param metadata supplies the metadata for each attempt
	 * @param headers supplies the upgrade request headers for each attempt
	 * @param reconnect the backoff between attempts
	 * @param connectionManager runs the connections
	 * @see ConnectionManager#webSocketClient()
	 */
	public SwaggerSocketClient(URI url, Supplier<Map<String, Object>> metadata, Supplier<HttpHeaders> headers,
			ReconnectPolicy reconnect, ConnectionManager connectionManager) {
		this(url, metadata, headers, reconnect, connectionManager, connectionManager.webSocketClient());
	}

	/**
	 * Create a client that dials with a given Reactor Netty client, for example one on
	 * the application's {@code ReactorResourceFactory} resources.
	 * @param url the server's WebSocket URL ({@code ws://} or {@code wss://})
	 * @param metadata supplies the metadata for each attempt
	 * @param headers supplies the upgrade request headers for each attempt
	 * @param reconnect the backoff between attempts
	 * @param connectionManager runs the connections
	 * @param httpClient the client to dial with (TLS, proxy and resources are taken from
	 * it)
	 */
	public SwaggerSocketClient(URI url, Supplier<Map<String, Object>> metadata, Supplier<HttpHeaders> headers,
			ReconnectPolicy reconnect, ConnectionManager connectionManager, HttpClient httpClient) {
		this(url, metadata, headers, reconnect, connectionManager, connectionManager.webSocketClient(httpClient));
	}

	private SwaggerSocketClient(URI url, Supplier<Map<String, Object>> metadata, Supplier<HttpHeaders> headers,
			ReconnectPolicy reconnect, ConnectionManager connectionManager,
			ReactorNettyWebSocketClient webSocketClient) {
		this.url = url;
		this.metadata = metadata;
		this.headers = headers;
		this.reconnect = reconnect;
		this.connectionManager = connectionManager;
		this.webSocketClient = webSocketClient;
	}

	/**
	 * Return the server URL this client dials.
	 * @return the URL
	 */
	public URI getUrl() {
		return this.url;
	}

	/**
	 * Return the connection to the server, if one is open now.
	 * @return the open connection, or empty while disconnected
	 */
	public Optional<SwaggerSocketConnection> getConnection() {
		SwaggerSocketConnection connection = this.connection;
		return (connection != null && connection.isOpen()) ? Optional.of(connection) : Optional.empty();
	}

	/**
	 * Return how dialing goes: the last failure and when the next attempt is due at the
	 * latest.
	 * @return the status; all empty while connected
	 */
	public Status getStatus() {
		return this.status;
	}

	@Override
	public void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		Sinks.Empty<Void> done = Sinks.empty();
		this.loopDone = done;
		this.loop = Flux.defer(this::dialOnce)
			// a connection that ended, for whatever reason, is an error to the retry loop
			.concatWith(Mono.error(() -> new ConnectionEndedException()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, this.reconnect.initialBackoff())
				.maxBackoff(this.reconnect.maxBackoff())
				.jitter(this.reconnect.jitter())
				.transientErrors(true)
				.filter((ex) -> this.running)
				.doBeforeRetry((signal) -> logAttemptFailure(signal.failure(), signal.totalRetriesInARow())))
			.doFinally((signal) -> done.tryEmitEmpty())
			.subscribe((connection) -> {
				this.connection = connection;
				this.status = new Status(null, null, 0);
			}, (ex) -> {
				if (this.running) {
					logger.error("SwaggerSocket client to " + this.url + " stopped dialing", ex);
				}
			});
	}

	private Flux<SwaggerSocketConnection> dialOnce() {
		Map<String, Object> metadata = this.metadata.get();
		HttpHeaders headers = this.headers.get();
		logger.debug("Dialing " + this.url);
		return Flux.create((sink) -> sink
			.onDispose(this.connectionManager.dial(this.webSocketClient, this.url, headers, metadata, sink::next)
				.subscribe(null, sink::error, sink::complete)));
	}

	private void logAttemptFailure(Throwable failure, long attempt) {
		// as Retry.backoff: the initial delay doubled per attempt, capped, plus jitter
		double base = Math.min((double) this.reconnect.maxBackoff().toMillis(),
				(double) this.reconnect.initialBackoff().toMillis() * Math.pow(2, (double) Math.min(attempt, 40)));
		Instant nextAttemptBefore = Instant.now().plusMillis((long) (base * (1 + this.reconnect.jitter())));
		this.status = new Status(failure.getMessage(), nextAttemptBefore, attempt + 1);
		if (failure instanceof ConnectionEndedException) {
			logger.info("Connection to " + this.url + " ended; reconnecting");
		}
		else if (failure instanceof HandshakeException handshake) {
			logger.warn("Handshake with " + this.url + " failed (close code " + handshake.getCloseCode() + "): "
					+ handshake.getMessage() + "; retry " + (attempt + 1));
		}
		else {
			logger.info("Could not connect to " + this.url + ": " + failure.getMessage() + "; retry " + (attempt + 1));
		}
	}

	/**
	 * Stop and wait until the connection has closed (or the drain timeout has passed).
	 */
	@Override
	public void stop() {
		Lifecycles.awaitStop(this::stop, this.connectionManager.options().drainTimeout().plus(STOP_TIMEOUT));
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		SwaggerSocketConnection connection = this.connection;
		// with a connection open, let the loop see its orderly end; otherwise it only
		// waits to retry
		Duration drainTimeout = this.connectionManager.options().drainTimeout();
		Mono<Void> close = (connection != null && connection.isOpen())
				? connection.close(drainTimeout).then(this.loopDone.asMono()) : Mono.empty();
		close.timeout(drainTimeout.plus(STOP_TIMEOUT), Mono.empty())
			.onErrorResume((ex) -> Mono.empty())
			.doFinally((signal) -> {
				Disposable loop = this.loop;
				if (loop != null) {
					loop.dispose();
				}
				callback.run();
			})
			.subscribe();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Build the metadata for one attempt: the configured values, then each customizer.
	 * @param configured the values from properties
	 * @param customizers the customizers, in order
	 * @return a supplier of fresh metadata maps
	 */
	public static Supplier<Map<String, Object>> metadata(Map<String, String> configured,
			List<SwaggerSocketMetadataCustomizer> customizers) {
		return () -> {
			Map<String, Object> metadata = new LinkedHashMap<>(configured);
			customizers.forEach((customizer) -> customizer.customize(metadata));
			return metadata;
		};
	}

	/**
	 * Build the upgrade headers for one attempt: the configured values, then each
	 * customizer.
	 * @param configured the values from properties
	 * @param customizers the customizers, in order
	 * @return a supplier of fresh headers
	 */
	public static Supplier<HttpHeaders> headers(Map<String, String> configured,
			List<SwaggerSocketUpgradeHeadersCustomizer> customizers) {
		return () -> {
			HttpHeaders headers = new HttpHeaders();
			configured.forEach(headers::add);
			customizers.forEach((customizer) -> customizer.customize(headers));
			return headers;
		};
	}

	/**
	 * How dialing goes while the client is not connected.
	 *
	 * @param lastFailure why the last attempt failed or the last connection ended
	 * @param nextAttemptBefore when the next attempt is due at the latest
	 * @param failedAttempts attempts failed since the last successful handshake
	 */
	public record Status(@Nullable String lastFailure, @Nullable Instant nextAttemptBefore, long failedAttempts) {
	}

	private static final class ConnectionEndedException extends RuntimeException {

		ConnectionEndedException() {
			super("Connection ended", null, false, false);
		}

	}

}
