package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import io.netty.channel.ChannelOption;
import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.FrameCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import org.springframework.web.reactive.socket.client.WebSocketClient;

/**
 * Runs SwaggerSocket connections over WebSocket sessions, in either role, and owns what
 * they share: options, the registry and event publication. The server's WebSocket handler
 * and the client's dialer both hand their sessions to it, so both sides behave the same.
 */
public final class ConnectionManager implements SmartLifecycle {

	/**
	 * Stops before the web server's graceful shutdown, so that open sockets do not hold
	 * it up.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

	private static final Log logger = LogFactory.getLog(ConnectionManager.class);

	private final ConnectionOptions options;

	private final SwaggerSocketConnections registry;

	private final ApplicationEventPublisher eventPublisher;

	private final SwaggerSocketHeartbeatHandler heartbeatHandler;

	private final SwaggerSocketStreamHandler streamHandler;

	private final SwaggerSocketObserver observer;

	private volatile boolean running;

	private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();

	private final SwaggerSocketHandshakeValidator validator;

	private final ConnectionTimers timers;

	private final FrameCodec codec;

	private volatile @Nullable ReactorNettyWebSocketClient webSocketClient;

	/**
	 * Create a manager.
	 * @param options the options every connection uses
	 * @param registry the registry that lists live connections
	 * @param eventPublisher where lifecycle events go
	 * @param heartbeatHandler the heartbeat customization
	 * @param streamHandler serves the streams peers open
	 */
	public ConnectionManager(ConnectionOptions options, SwaggerSocketConnections registry,
			ApplicationEventPublisher eventPublisher, SwaggerSocketHeartbeatHandler heartbeatHandler,
			SwaggerSocketStreamHandler streamHandler) {
		this(options, registry, eventPublisher, heartbeatHandler, streamHandler, SwaggerSocketObserver.NONE,
				SwaggerSocketHandshakeValidator.ACCEPT_ALL);
	}

	/**
	 * Create a manager that reports to an observer.
	 * @param options the options every connection uses
	 * @param registry the registry that lists live connections
	 * @param eventPublisher where lifecycle events go
	 * @param heartbeatHandler the heartbeat customization
	 * @param streamHandler serves the streams peers open
	 * @param observer receives what happens on the connections, for metrics
	 * @param validator decides whether a client may connect (server role)
	 */
	public ConnectionManager(ConnectionOptions options, SwaggerSocketConnections registry,
			ApplicationEventPublisher eventPublisher, SwaggerSocketHeartbeatHandler heartbeatHandler,
			SwaggerSocketStreamHandler streamHandler, SwaggerSocketObserver observer,
			SwaggerSocketHandshakeValidator validator) {
		this.options = options;
		this.registry = registry;
		this.eventPublisher = eventPublisher;
		this.heartbeatHandler = heartbeatHandler;
		this.streamHandler = streamHandler;
		this.observer = observer;
		this.validator = validator;
		this.timers = new ConnectionTimers(options);
		this.codec = new FrameCodec(options.settings().maxFrameSize(), options.settings().maxHeaderBlockSize());
	}

	SwaggerSocketObserver observer() {
		return this.observer;
	}

	ConnectionTimers timers() {
		return this.timers;
	}

	/**
	 * Return the codec every connection of this manager uses: it holds only the manager's
	 * limits, so one serves them all.
	 * @return the codec
	 */
	FrameCodec codec() {
		return this.codec;
	}

	/**
	 * Return the options every connection uses.
	 * @return the options
	 */
	public ConnectionOptions options() {
		return this.options;
	}

	/**
	 * Return the WebSocket client that dials this manager's client connections when no
	 * Reactor Netty client is given: one per manager, created on first use and shared by
	 * every dialer, its connections not pooled (a WebSocket never goes back to a pool).
	 * @return the shared client
	 */
	public ReactorNettyWebSocketClient webSocketClient() {
		ReactorNettyWebSocketClient client = this.webSocketClient;
		if (client == null) {
			synchronized (this) {
				client = this.webSocketClient;
				if (client == null) {
					client = webSocketClient(HttpClient.create(ConnectionProvider.newConnection()));
					this.webSocketClient = client;
				}
			}
		}
		return client;
	}

	/**
	 * Return a WebSocket client that dials with the given Reactor Netty client (its TLS,
	 * proxy and resources), set up for this manager's options: the handshake timeout
	 * bounds the TCP connect, and messages, fragmented or not, are held to the largest
	 * frame plus its header.
	 * @param httpClient the Reactor Netty client
	 * @return a new WebSocket client; share it between dialers
	 */
	public ReactorNettyWebSocketClient webSocketClient(HttpClient httpClient) {
		int maxMessageSize = this.options.settings().maxFrameSize() + FrameCodec.HEADER_LENGTH;
		int connectTimeout = (int) Math.min(Integer.MAX_VALUE, this.options.handshakeTimeout().toMillis());
		return new ReactorNettyWebSocketClient(
				httpClient.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout).doOnConnected((connection) -> {
					WebSocketMessageLimit.apply(connection, maxMessageSize);
					LingeringClose.installOnClient(connection);
				}),
				() -> WebsocketClientSpec.builder()
					.protocols(FrameCodec.SUBPROTOCOL)
					.maxFramePayloadLength(maxMessageSize)
					.handlePing(true));
	}

	SwaggerSocketStreamHandler streamHandler() {
		return this.streamHandler;
	}

	SwaggerSocketHeartbeatHandler heartbeatHandler() {
		return this.heartbeatHandler;
	}

	/**
	 * Serve an accepted WebSocket session in the server role. Never errors: every failure
	 * is logged and answered with the documented close code.
	 * @param session the upgraded session
	 * @return completes when the session has ended
	 */
	public Mono<Void> accept(WebSocketSession session) {
		// Spring checkpoints what a WebSocket handler returns, and a checkpoint keeps the
		// assembly below it reachable for the session's whole life: assembled when
		// subscribed, the connection's operators are not kept once more as an assembly.
		return Mono.defer(() -> serve(session));
	}

	private Mono<Void> serve(WebSocketSession session) {
		InetSocketAddress remoteAddress = session.getHandshakeInfo().getRemoteAddress();
		if (!this.running) {
			return session.close(new CloseStatus(CloseCodes.GOING_AWAY, "Server is shutting down"));
		}
		String subProtocol = session.getHandshakeInfo().getSubProtocol();
		if (!FrameCodec.SUBPROTOCOL.equals(subProtocol)) {
			logger.warn("Refused connection from " + remoteAddress + ": subprotocol " + subProtocol
					+ " offered instead of " + FrameCodec.SUBPROTOCOL);
			return session.close(new CloseStatus(CloseCodes.UNSUPPORTED_PROTOCOL_VERSION,
					"Unsupported protocol version; this server speaks " + FrameCodec.SUBPROTOCOL));
		}
		int maxConnections = this.options.maxConnections();
		if (maxConnections >= 0 && this.sessions.incrementAndGet() > maxConnections) {
			this.sessions.decrementAndGet();
			logger
				.warn("Refused connection from " + remoteAddress + ": max-connections " + maxConnections + " reached");
			return session.close(new CloseStatus(CloseCodes.TRY_AGAIN_LATER, "Too many connections; retry later"));
		}
		Mono<Void> served = serve(session, remoteAddress).onErrorResume(HandshakeException.class, (ex) -> Mono.empty());
		// counted only under a limit: without one, no operator is kept for the session's
		// whole life
		return (maxConnections >= 0) ? served.doFinally((signal) -> this.sessions.decrementAndGet()) : served;
	}

	private Mono<Void> serve(WebSocketSession session, @Nullable InetSocketAddress remoteAddress) {
		Mono<Principal> principal = session.getHandshakeInfo().getPrincipal();
		// A principal known at once (the upgrade resolved it, or there is none) needs no
		// operators, which would stay reachable for the connection's whole life: on a hub
		// holding thousands of idle connections they cost more than the connection's own
		// state.
		if (principal instanceof Fuseable.ScalarCallable<?> known) {
			@Nullable Object value;
			try {
				value = known.call();
			}
			catch (Exception ex) {
				return Mono.error(ex);
			}
			return serve(session, remoteAddress, (Principal) value);
		}
		return principal.singleOptional().flatMap((found) -> serve(session, remoteAddress, found.orElse(null)));
	}

	private Mono<Void> serve(WebSocketSession session, @Nullable InetSocketAddress remoteAddress,
			@Nullable Principal principal) {
		// the handshake made when subscribed: an operator may keep this supplier for the
		// connection's life, and a handshake holds the peer's HELLO
		return Mono.defer(() -> new SocketConnection(
				session, ConnectionRole.SERVER, new Handshake.Server(this.options.settings(),
						this.options.maxMetadataSize(), this.validator, principal),
				this, remoteAddress, principal, (connection) -> {
				}, null)
			.run());
	}

	/**
	 * Run a dialed WebSocket session in the client role.
	 * @param session the session the client opened
	 * @param metadata the metadata to send in HELLO
	 * @param remoteAddress the server's address
	 * @param onEstablished called with the connection once the handshake has completed
	 * @return completes when the session has ended after a completed handshake; errors
	 * with {@link HandshakeException} if the handshake did not complete
	 */
	public Mono<Void> dial(WebSocketSession session, Map<String, Object> metadata,
			@Nullable InetSocketAddress remoteAddress, Consumer<SwaggerSocketConnection> onEstablished) {
		ConnectionInfo attempt = new ConnectionInfo("", ConnectionRole.CLIENT, metadata, remoteAddress, null,
				java.time.Instant.now());
		return Mono.defer(() -> new SocketConnection(session, ConnectionRole.CLIENT,
				new Handshake.Client(metadata, this.options.settings()), this, remoteAddress, null, onEstablished,
				attempt)
			.run());
	}

	/**
	 * Dial a server's SwaggerSocket endpoint and run the session in the client role.
	 * @param client the WebSocket client that dials
	 * @param url the endpoint's {@code ws} or {@code wss} URL
	 * @param headers the upgrade request's headers
	 * @param metadata the metadata to send in HELLO
	 * @param onEstablished called with the connection once the handshake has completed
	 * @return completes when the session has ended after a completed handshake; errors if
	 * the server could not be reached or upgraded, or with {@link HandshakeException} if
	 * the handshake did not complete
	 */
	public Mono<Void> dial(WebSocketClient client, URI url, HttpHeaders headers, Map<String, Object> metadata,
			Consumer<SwaggerSocketConnection> onEstablished) {
		// WebFlux's client leaves the handshake info's remote address empty: use the
		// dialed one
		InetSocketAddress remoteAddress = InetSocketAddress.createUnresolved(url.getHost(), port(url));
		return client.execute(url, headers, (session) -> dial(session, metadata, remoteAddress, onEstablished));
	}

	private static int port(URI url) {
		if (url.getPort() != -1) {
			return url.getPort();
		}
		return ("wss".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme())) ? 443 : 80;
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Shut down gracefully: refuse new connections, send GOAWAY on every live one (new
	 * streams are refused from then on), let in-flight streams finish within the drain
	 * timeout, then close with 1001 (going away).
	 * @param callback called once every connection is closed or the stop timeout has
	 * passed
	 */
	@Override
	public void stop(Runnable callback) {
		this.running = false;
		Flux.fromIterable(this.registry.list())
			.cast(SocketConnection.class)
			.flatMap((connection) -> connection.close(CloseCodes.GOING_AWAY, "Shutting down",
					this.options.drainTimeout()))
			.then()
			.timeout(this.options.drainTimeout().plus(STOP_TIMEOUT), Mono.empty())
			.onErrorResume((ex) -> Mono.empty())
			.doFinally((signal) -> callback.run())
			.subscribe();
	}

	/**
	 * Shut down as {@link #stop(Runnable)} does and wait until it is done.
	 */
	@Override
	public void stop() {
		Lifecycles.awaitStop(this::stop, this.options.drainTimeout().plus(STOP_TIMEOUT));
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	void established(SocketConnection connection) {
		ConnectionInfo info = connection.info();
		this.registry.add(connection);
		logger.info(connection.logPrefix() + "Connected (" + info.role().name().toLowerCase(Locale.ROOT)
				+ " role, peer " + info.remoteAddress() + ", metadata " + info.metadata() + ")");
		publish(new SwaggerSocketConnectedEvent(connection));
	}

	void terminated(SocketConnection connection, Termination end) {
		this.registry.remove(connection);
		FailureReason failure = end.failure();
		if (failure != null) {
			logger.warn(connection.logPrefix() + "Failed (" + failure + "): " + end.detail());
			publish(new SwaggerSocketFailedEvent(connection, failure, end.closeCode(), end.detail()));
		}
		else {
			logger.info(connection.logPrefix() + "Closed: " + end.detail());
			publish(new SwaggerSocketClosedEvent(connection, end.closeCode(), end.local()));
		}
	}

	void handshakeFailed(SocketConnection connection, ConnectionInfo attempt, int closeCode, String detail) {
		logger.warn("Handshake with " + attempt.remoteAddress() + " failed: " + detail);
		publish(new SwaggerSocketFailedEvent(connection, attempt, FailureReason.HANDSHAKE_FAILED, closeCode, detail));
	}

	private void publish(SwaggerSocketConnectionEvent event) {
		try {
			this.eventPublisher.publishEvent(event);
		}
		catch (RuntimeException ex) {
			// a failing listener must not break the connection's state machine
			logger.error("Listener failed on " + event.getClass().getSimpleName(), ex);
		}
	}

}
