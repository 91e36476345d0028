package io.swaggersocket.connection;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.FrameCodec;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One side's part of the three-step handshake (HELLO, WELCOME, READY). Fed the frames
 * that arrive before the connection is open; any frame out of order ends it with
 * {@link CloseCodes#HANDSHAKE_VIOLATION}.
 */
abstract class Handshake {

	/**
	 * The outcome of a completed handshake.
	 *
	 * @param connectionId the id the server assigned
	 * @param metadata the client's metadata
	 * @param peerSettings the settings the peer declared
	 * @param roundTripNanos how long the peer took to answer this side's last handshake
	 * message (HELLO on the client, WELCOME on the server): the link's round trip, plus
	 * whatever the peer spent on the message
	 */
	record Result(String connectionId, Map<String, Object> metadata, ConnectionSettings peerSettings,
			long roundTripNanos) {
	}

	/** When this side sent its last handshake message. */
	private long sentNanos;

	/**
	 * Send a handshake message the peer answers.
	 * @param send sends a frame to the peer
	 * @param frame the message
	 */
	void sendAwaitingAnswer(Consumer<Frame> send, Frame frame) {
		this.sentNanos = System.nanoTime();
		send.accept(frame);
	}

	/**
	 * Return how long ago this side sent the message the peer has just answered.
	 * @return the time since, in nanoseconds
	 */
	long answeredAfter() {
		return System.nanoTime() - this.sentNanos;
	}

	/**
	 * Send what this side sends first, if anything.
	 * @param send sends a frame to the peer
	 */
	abstract void start(Consumer<Frame> send);

	/**
	 * Take the next frame from the peer.
	 * @param frame the frame
	 * @param send sends a frame to the peer
	 * @return the result once the handshake is complete, {@code null} while it goes on
	 * @throws HandshakeException if the frame is not the one expected
	 */
	abstract @Nullable Result onFrame(Frame frame, Consumer<Frame> send);

	/**
	 * Return a shared settings instance when the peer declared this side's settings or
	 * the defaults: the stream layer keeps the peer's settings for the connection's life,
	 * and peers usually run one configuration, so a hub then keeps one settings object
	 * rather than one per connection.
	 * @param peer the settings the peer declared
	 * @param local this side's settings
	 * @return {@code local} or {@link ConnectionSettings#DEFAULTS} if equal to
	 * {@code peer}, else {@code peer}
	 */
	static ConnectionSettings sameOrPeer(ConnectionSettings peer, ConnectionSettings local) {
		if (peer.equals(local)) {
			return local;
		}
		return peer.equals(ConnectionSettings.DEFAULTS) ? ConnectionSettings.DEFAULTS : peer;
	}

	static HandshakeException unexpected(Frame frame, String expected) {
		return new HandshakeException(CloseCodes.HANDSHAKE_VIOLATION,
				"Expected " + expected + " but received " + frame.type());
	}

	/**
	 * The server's part: wait for HELLO, answer WELCOME, wait for READY.
	 */
	static final class Server extends Handshake {

		private final ConnectionSettings localSettings;

		private final int maxMetadataSize;

		private final SwaggerSocketHandshakeValidator validator;

		private final @Nullable Principal principal;

		private HandshakeJson.@Nullable Hello hello;

		private @Nullable String connectionId;

		Server(ConnectionSettings localSettings, int maxMetadataSize, SwaggerSocketHandshakeValidator validator,
				@Nullable Principal principal) {
			this.localSettings = localSettings;
			this.maxMetadataSize = maxMetadataSize;
			this.validator = validator;
			this.principal = principal;
		}

		@Override
		void start(Consumer<Frame> send) {
		}

		@Override
		@Nullable Result onFrame(Frame frame, Consumer<Frame> send) {
			if (this.hello == null) {
				if (!(frame instanceof Frame.Hello helloFrame)) {
					throw unexpected(frame, "HELLO");
				}
				int size = helloFrame.json().getBytes(StandardCharsets.UTF_8).length;
				if (size > this.maxMetadataSize) {
					throw new HandshakeException(CloseCodes.MESSAGE_TOO_BIG,
							"HELLO of " + size + " bytes exceeds the limit of " + this.maxMetadataSize);
				}
				HandshakeJson.Hello hello = HandshakeJson.parseHello(helloFrame.json());
				this.validator.validate(hello.metadata(), this.principal);
				this.hello = hello;
				this.connectionId = UUID.randomUUID().toString();
				sendAwaitingAnswer(send,
						new Frame.Welcome(HandshakeJson.welcome(this.connectionId, this.localSettings)));
				return null;
			}
			if (!(frame instanceof Frame.Ready)) {
				throw unexpected(frame, "READY");
			}
			Assert.state(this.connectionId != null, "WELCOME assigned the connection id");
			return new Result(this.connectionId, this.hello.metadata(),
					sameOrPeer(this.hello.settings(), this.localSettings), answeredAfter());
		}

	}

	/**
	 * The client's part: send HELLO, wait for WELCOME, answer READY.
	 */
	static final class Client extends Handshake {

		private final Map<String, Object> metadata;

		private final ConnectionSettings localSettings;

		Client(Map<String, Object> metadata, ConnectionSettings localSettings) {
			this.metadata = metadata;
			this.localSettings = localSettings;
		}

		@Override
		void start(Consumer<Frame> send) {
			sendAwaitingAnswer(send, new Frame.Hello(HandshakeJson.hello(this.metadata, this.localSettings)));
		}

		@Override
		Result onFrame(Frame frame, Consumer<Frame> send) {
			if (!(frame instanceof Frame.Welcome welcome)) {
				throw unexpected(frame, "WELCOME");
			}
			int size = welcome.json().getBytes(StandardCharsets.UTF_8).length;
			if (size > FrameCodec.MIN_MAX_FRAME_SIZE) {
				throw new HandshakeException(CloseCodes.MESSAGE_TOO_BIG,
						"WELCOME of " + size + " bytes exceeds " + FrameCodec.MIN_MAX_FRAME_SIZE);
			}
			long roundTrip = answeredAfter();
			HandshakeJson.Welcome parsed = HandshakeJson.parseWelcome(welcome.json());
			send.accept(new Frame.Ready());
			return new Result(parsed.connectionId(), this.metadata, sameOrPeer(parsed.settings(), this.localSettings),
					roundTrip);
		}

	}

}
