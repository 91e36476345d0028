package io.swaggersocket.connection;

import java.util.Map;
import java.util.function.LongSupplier;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.ErrorCode;
import io.swaggersocket.protocol.Frame;
import io.swaggersocket.protocol.ProtocolException;
import org.jspecify.annotations.Nullable;

/**
 * The credit this side grants the peer (its inbound, or "local", flow control, as Netty's
 * {@code DefaultHttp2LocalFlowController}): checks each DATA frame against the windows
 * this side granted and returns credit with WINDOW_UPDATE as body bytes are consumed or
 * discarded (docs/PROTOCOL.md, section 7). Guarded by the stream layer's monitor.
 *
 * <p>
 * The windows start as declared in the handshake (a stream window above the default
 * aside, below) and grow, up to a maximum, from the bandwidth-delay product the
 * {@link BdpEstimator} measures, as {@link WindowGrowth} decides; what they grew by is
 * granted with WINDOW_UPDATE, to every open stream and to the connection. A single stream
 * on a long link is then not capped at window / round trip, and the connection window
 * stays at least twice the stream window, so that a stream whose reader stalls never
 * holds all of it.
 *
 * <p>
 * While the windows can grow, the stream window starts at the default,
 * {@link #MIN_KEPT_OUT}, whatever the declared one: a declared window beyond it is each
 * stream's allowance for its first round trip. Once a stream's readers have taken the
 * allowance, the credit of the bytes consumed beyond it is kept back, so that the sender
 * holds no more than the stream window in credit and bytes in flight; on a short link a
 * large declared window would otherwise be a queue of that size in front of every other
 * stream's frames. Round trips that carried part of an allowance grow the windows only by
 * a long link's burst.
 */
final class InboundFlowController {

	/**
	 * The stream window while the windows can grow and the link has shown no need for
	 * more, whatever the declared one: the protocol's default stream window.
	 */
	static final int MIN_KEPT_OUT = ConnectionSettings.DEFAULTS.initialStreamWindow();

	private final ConnectionSettings local;

	private final FrameWriter writer;

	private final Map<Integer, Stream> streams;

	private final @Nullable BdpEstimator bdp;

	/**
	 * The windows streams and the connection get (beyond the declared ones once grown).
	 */
	private final WindowGrowth windows;

	/** DATA bytes received on the connection whose credit has not gone back yet. */
	private long receivedUngranted;

	/** Of those, bytes consumed and waiting for a batched WINDOW_UPDATE. */
	private long consumedUngranted;

	/**
	 * Whether readers took bytes in the estimator's round trip under way that came from a
	 * declared window's allowance (see {@link #MIN_KEPT_OUT}).
	 */
	private boolean allowanceTaken;

	/** Whether a second probe went out to confirm a long link's round trip. */
	private boolean probedAgain;

	InboundFlowController(ConnectionSettings local, int maxWindow, FrameWriter writer, Map<Integer, Stream> streams) {
		this(local, maxWindow, writer, streams, System::nanoTime);
	}

	InboundFlowController(ConnectionSettings local, int maxWindow, FrameWriter writer, Map<Integer, Stream> streams,
			LongSupplier nanoClock) {
		this.local = local;
		this.writer = writer;
		this.streams = streams;
		boolean adaptive = maxWindow > local.initialStreamWindow() || maxWindow > local.connectionWindow();
		// with growth on, a declared window beyond the default is a first round trip's
		// allowance; what a stream keeps out after it is what the link shows it needs
		int keptOut = adaptive ? Math.min(local.initialStreamWindow(), MIN_KEPT_OUT) : local.initialStreamWindow();
		this.windows = new WindowGrowth(keptOut, local.connectionWindow(), maxWindow);
		this.bdp = adaptive ? new BdpEstimator(nanoClock) : null;
	}

	/**
	 * A stream opened: it gets the current stream window, granting the peer what it has
	 * grown beyond the declared one.
	 * @param stream the stream, after its HEADERS
	 */
	void opened(Stream stream) {
		stream.window = Math.max(this.local.initialStreamWindow(), this.windows.streamWindow());
		int grown = this.windows.streamWindow() - this.local.initialStreamWindow();
		if (grown > 0 && stream.state.remoteSideOpen()) {
			this.writer.write(new Frame.WindowUpdate(stream.id, grown));
		}
	}

	/**
	 * The connection opened: if the peer took a long link's round trip to answer this
	 * side's last handshake message, ping at once. The pong tells the link's round trip
	 * before DATA arrives, so that the first round trip with DATA can already show a
	 * burst and grow the windows ({@link WindowGrowth}), a round trip earlier than
	 * without. On a short link this sends nothing; a handshake that a cold or busy JVM
	 * made slow costs one ping, whose short round trip then keeps bursts from counting.
	 * @param handshakeRoundTripNanos how long the peer took to answer this side's last
	 * handshake message
	 */
	void connectionOpened(long handshakeRoundTripNanos) {
		BdpEstimator bdp = this.bdp;
		if (bdp != null && handshakeRoundTripNanos >= WindowGrowth.LONG_LINK_NANOS) {
			byte[] ping = bdp.probe();
			if (ping != null) {
				this.writer.ping(ping);
			}
		}
	}

	/**
	 * A pong for the estimator's ping: grow the windows if the round trip says so.
	 * @param payload the pong's payload
	 */
	void estimatorPong(byte[] payload) {
		BdpEstimator bdp = this.bdp;
		BdpEstimator.Sample sample = (bdp != null) ? bdp.pong(payload) : null;
		int streamWindow = this.windows.streamWindow();
		int connectionWindow = this.windows.connectionWindow();
		if (bdp == null || sample == null) {
			return;
		}
		if (this.windows.sample(sample, this.allowanceTaken)) {
			grew(bdp, streamWindow, connectionWindow);
		}
		if (sample.bytes() == 0 && !this.probedAgain && this.windows.confirmingLongLink()) {
			// one long round trip may have been a cold JVM's: a second one lets a burst
			// grow the windows before its pong (WindowGrowth.burstSoFar); while DATA
			// flows, its own round trips follow
			this.probedAgain = true;
			byte[] ping = bdp.probe();
			if (ping != null) {
				this.writer.ping(ping);
			}
		}
	}

	/**
	 * The windows grew: grant the peer the difference, on the connection and on every
	 * stream it may still send on.
	 */
	private void grew(BdpEstimator bdp, int streamWindow, int connectionWindow) {
		bdp.grew();
		if (this.windows.connectionWindow() > connectionWindow) {
			this.writer.write(new Frame.WindowUpdate(0, this.windows.connectionWindow() - connectionWindow));
		}
		int kept = this.windows.streamWindow();
		if (kept > streamWindow) {
			for (Stream stream : this.streams.values()) {
				// a stream still holding its declared allowance gets only what its window
				// grew beyond it
				if (stream.state.remoteSideOpen() && kept > stream.window) {
					this.writer.write(new Frame.WindowUpdate(stream.id, (int) (kept - stream.window)));
					stream.window = kept;
				}
			}
		}
	}

	/**
	 * Return the stream window: what a stream keeps out once it has spent any allowance
	 * of a larger declared window.
	 * @return the stream window
	 */
	int streamWindow() {
		return this.windows.streamWindow();
	}

	/**
	 * Return the connection window the peer has been granted.
	 * @return the connection window
	 */
	int connectionWindow() {
		return this.windows.connectionWindow();
	}

	/**
	 * Take a DATA frame's bytes from the connection window.
	 * @param length the payload length
	 * @throws ProtocolException if the peer exceeded the connection window
	 */
	void receivedOnConnection(int length) {
		this.receivedUngranted += length;
		if (this.receivedUngranted > this.windows.connectionWindow()) {
			throw new ProtocolException(ErrorCode.FLOW_CONTROL_ERROR, CloseCodes.PROTOCOL_ERROR,
					"The peer exceeded the connection window of " + this.windows.connectionWindow() + " bytes");
		}
		BdpEstimator bdp = this.bdp;
		if (bdp != null && length > 0) {
			byte[] ping = bdp.received();
			if (ping != null) {
				this.allowanceTaken = false;
				this.writer.ping(ping);
			}
		}
	}

	/**
	 * Take a DATA frame's bytes from the stream window.
	 * @param stream the stream
	 * @param length the payload length
	 * @return whether the bytes were within the window (otherwise a stream error)
	 */
	boolean receivedOnStream(Stream stream, int length) {
		if (stream.receivedUngranted + length > stream.window) {
			return false;
		}
		stream.receivedUngranted += length;
		return true;
	}

	/**
	 * Body bytes handed to a subscriber or discarded: return their credit. Consumed bytes
	 * go back in batches of half a window (at most {@link WindowGrowth#MAX_BATCH});
	 * discarded ones ({@code stream} null) at once on stream 0, with whatever is batched,
	 * since no consumer will ever return them.
	 * @param stream the stream whose subscriber consumed them, or {@code null}
	 * @param length the byte count
	 */
	void consumed(@Nullable Stream stream, int length) {
		BdpEstimator bdp = this.bdp;
		if (bdp != null && stream != null) {
			bdp.consumed(length);
			// a long link's burst shows before the pong: grant at once
			BdpEstimator.Sample soFar = this.windows.longLinkConfirmed() ? bdp.soFar() : null;
			if (soFar != null) {
				int streamWindow = this.windows.streamWindow();
				int connectionWindow = this.windows.connectionWindow();
				if (this.windows.burstSoFar(soFar)) {
					grew(bdp, streamWindow, connectionWindow);
				}
			}
		}
		long kept = (stream != null) ? Math.min(stream.window, this.windows.streamWindow()) : 0;
		if (stream != null && stream.window - stream.consumedUngranted > kept) {
			// also once the peer ended the stream: a body within its allowance came whole
			this.allowanceTaken = true;
		}
		if (stream != null && stream.state.remoteSideOpen()) {
			stream.consumedUngranted += length;
			// the part of a declared window beyond what the stream keeps out is not
			// returned: the sender is left with no more than that in credit and in flight
			long returned = stream.consumedUngranted - (stream.window - kept);
			if (returned >= WindowGrowth.creditBatch(kept)) {
				this.writer.write(new Frame.WindowUpdate(stream.id, (int) returned));
				stream.receivedUngranted -= returned;
				stream.consumedUngranted -= returned;
			}
		}
		this.consumedUngranted += length;
		if (this.consumedUngranted > 0 && (stream == null
				|| this.consumedUngranted >= WindowGrowth.creditBatch(this.windows.connectionWindow()))) {
			this.writer.write(new Frame.WindowUpdate(0, (int) this.consumedUngranted));
			this.receivedUngranted -= this.consumedUngranted;
			this.consumedUngranted = 0;
		}
	}

}
