package io.swaggersocket.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that injects the faults of a network or of a dying process into
 * the connections it carries, at any moment, mid-stream included:
 * <ul>
 * <li>{@link #freeze()} black-holes them: nothing is forwarded in either direction and
 * nothing is closed, like a hung process or a path that silently drops packets
 * ({@link #thaw()} ends it);
 * <li>{@link #cut()} ends them in order: each side gets a FIN, like a process that exits;
 * <li>{@link #reset()} aborts them: each side gets a RST, like a killed host or a
 * middlebox that drops the connection.
 * </ul>
 * The byte counters let a test wait until a transfer is under way before it injects the
 * fault.
 */
public final class FreezableTcpProxy implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final int targetPort;

	private final List<Link> links = new CopyOnWriteArrayList<>();

	private final Object gate = new Object();

	private final AtomicLong toTarget = new AtomicLong();

	private final AtomicLong toClient = new AtomicLong();

	private volatile boolean frozen;

	private volatile boolean frozenToClients;

	private volatile boolean closed;

	public FreezableTcpProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.serverSocket = new ServerSocket();
		this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.serverSocket.getLocalPort();
	}

	/** Forward nothing, close nothing (a black hole) until {@link #thaw()}. */
	public void freeze() {
		this.frozen = true;
	}

	/**
	 * Forward nothing from the target to the clients, close nothing, until
	 * {@link #thaw()}: the clients still reach the target, and do not hear its answers.
	 */
	public void freezeToClients() {
		this.frozenToClients = true;
	}

	public void thaw() {
		synchronized (this.gate) {
			this.frozen = false;
			this.frozenToClients = false;
			this.gate.notifyAll();
		}
	}

	/**
	 * Close every connection in order: both sides read end-of-stream (FIN) and what they
	 * still send is dropped. New connections are still accepted.
	 */
	public void cut() throws IOException {
		for (Link link : this.links) {
			link.severed = true;
			for (Socket socket : link.sockets()) {
				if (!socket.isClosed() && !socket.isOutputShutdown()) {
					socket.shutdownOutput();
				}
			}
		}
	}

	/**
	 * Abort every connection: both sides get a TCP reset (RST, as {@code SO_LINGER} 0
	 * closes). New connections are still accepted.
	 */
	public void reset() throws IOException {
		for (Link link : this.links) {
			link.severed = true;
			for (Socket socket : link.sockets()) {
				if (!socket.isClosed()) {
					socket.setSoLinger(true, 0);
					socket.close();
				}
			}
		}
	}

	/** Connections accepted so far, frozen or not. */
	public int connections() {
		return this.links.size();
	}

	/** Bytes forwarded so far from the clients to the target. */
	public long bytesToTarget() {
		return this.toTarget.get();
	}

	/** Bytes forwarded so far from the target to the clients. */
	public long bytesToClient() {
		return this.toClient.get();
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.serverSocket.accept();
				Socket target = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				Link link = new Link(client, target);
				this.links.add(link);
				pump(link, client, target, this.toTarget, false);
				pump(link, target, client, this.toClient, true);
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void pump(Link link, Socket from, Socket to, AtomicLong counter, boolean toClient) throws IOException {
		InputStream in = from.getInputStream();
		OutputStream out = to.getOutputStream();
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try {
				int read;
				while ((read = in.read(buffer)) != -1) {
					awaitThawed(toClient);
					if (link.severed) {
						continue;
					}
					out.write(buffer, 0, read);
					counter.addAndGet(read);
				}
				if (!link.severed) {
					to.shutdownOutput();
				}
				else {
					// both halves of a cut connection ended: release it
					from.close();
				}
			}
			catch (IOException | InterruptedException ex) {
				// socket closed: the proxied connection is over
			}
		}, "proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitThawed(boolean toClient) throws InterruptedException {
		synchronized (this.gate) {
			while ((this.frozen || (toClient && this.frozenToClients)) && !this.closed) {
				this.gate.wait();
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		thaw();
		this.serverSocket.close();
		for (Link link : this.links) {
			for (Socket socket : link.sockets()) {
				socket.close();
			}
		}
	}

	/** One proxied connection: the accepted socket and the one to the target. */
	private static final class Link {

		final Socket client;

		final Socket target;

		/** Set by cut and reset: what is still read from either side is dropped. */
		volatile boolean severed;

		Link(Socket client, Socket target) {
			this.client = client;
			this.target = target;
		}

		List<Socket> sockets() {
			return List.of(this.client, this.target);
		}

	}

}
