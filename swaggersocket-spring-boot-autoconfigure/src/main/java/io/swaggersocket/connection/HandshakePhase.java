package io.swaggersocket.connection;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * A connection's life before it opens: the {@link Handshake} in progress, what the
 * connection is known by meanwhile, whom to tell once it opens, and why it failed if it
 * never does. {@link SocketConnection} drops it once the handshake has completed, so an
 * open connection keeps none of it (on a hub holding thousands of idle connections, every
 * field counts). Not thread-safe: the connection calls it under its own monitor, except
 * for the fields marked volatile.
 */
final class HandshakePhase {

	private final Handshake handshake;

	private final ConnectionRole role;

	private final @Nullable InetSocketAddress remoteAddress;

	private final @Nullable Principal principal;

	private final Consumer<SwaggerSocketConnection> onEstablished;

	private final @Nullable ConnectionInfo attempt;

	private volatile @Nullable HandshakeException failure;

	/**
	 * Create the phase.
	 * @param handshake this side's part of the handshake
	 * @param role this side's role
	 * @param remoteAddress the peer's address, if known
	 * @param principal who authenticated the WebSocket upgrade, if anybody
	 * @param onEstablished called with the connection once it is open
	 * @param attempt what a client's connection is known by before it opens (its events
	 * and its registry entry need an info), {@code null} on the server
	 */
	HandshakePhase(Handshake handshake, ConnectionRole role, @Nullable InetSocketAddress remoteAddress,
			@Nullable Principal principal, Consumer<SwaggerSocketConnection> onEstablished,
			@Nullable ConnectionInfo attempt) {
		this.handshake = handshake;
		this.role = role;
		this.remoteAddress = remoteAddress;
		this.principal = principal;
		this.onEstablished = onEstablished;
		this.attempt = attempt;
	}

	Handshake handshake() {
		return this.handshake;
	}

	@Nullable ConnectionInfo attempt() {
		return this.attempt;
	}

	Consumer<SwaggerSocketConnection> onEstablished() {
		return this.onEstablished;
	}

	/**
	 * Remember why the handshake failed, for {@link SocketConnection#run()} to error
	 * with.
	 * @param failure the failure
	 */
	void failed(HandshakeException failure) {
		this.failure = failure;
	}

	/**
	 * Return what {@link SocketConnection#run()} errors with when the connection ended
	 * before it opened: the recorded failure, or one made from how it ended.
	 * @param end how the connection ended
	 * @return the failure
	 */
	HandshakeException failure(Termination end) {
		HandshakeException failure = this.failure;
		return (failure != null) ? failure
				: new HandshakeException(end.closeCode(), "Connection ended during the handshake: " + end.detail());
	}

	/**
	 * Return whether the handshake failed in a way this side decided or detected.
	 * @return whether a failure was recorded
	 */
	boolean hasFailed() {
		return this.failure != null;
	}

	/**
	 * Return the open connection's info.
	 * @param result the completed handshake
	 * @return the info
	 */
	ConnectionInfo info(Handshake.Result result) {
		return new ConnectionInfo(result.connectionId(), this.role, result.metadata(), this.remoteAddress,
				this.principal, Instant.now());
	}

	/**
	 * Return the log prefix of a connection that has not opened yet.
	 * @return the prefix
	 */
	String logPrefix() {
		return "[" + this.role.name().toLowerCase(Locale.ROOT) + " handshake"
				+ ((this.remoteAddress != null) ? " " + this.remoteAddress : "") + "] ";
	}

}
