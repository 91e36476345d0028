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

/**
 * A loopback TCP proxy that can freeze: while frozen it forwards nothing in either direction,
 * like a peer whose process hangs or a network path that silently drops packets, without
 * closing anything.
 */
public final class FreezableTcpProxy implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final int targetPort;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final Object gate = new Object();

	private volatile boolean frozen;

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

	public void freeze() {
		this.frozen = true;
	}

	public void thaw() {
		synchronized (this.gate) {
			this.frozen = false;
			this.gate.notifyAll();
		}
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.serverSocket.accept();
				Socket target = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
				this.sockets.add(client);
				this.sockets.add(target);
				pump(client, target);
				pump(target, client);
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void pump(Socket from, Socket to) throws IOException {
		InputStream in = from.getInputStream();
		OutputStream out = to.getOutputStream();
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			try {
				int read;
				while ((read = in.read(buffer)) != -1) {
					awaitThawed();
					out.write(buffer, 0, read);
				}
				to.shutdownOutput();
			}
			catch (IOException | InterruptedException ex) {
				// socket closed: the proxied connection is over
			}
		}, "proxy-pump");
		thread.setDaemon(true);
		thread.start();
	}

	private void awaitThawed() throws InterruptedException {
		synchronized (this.gate) {
			while (this.frozen && !this.closed) {
				this.gate.wait();
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		thaw();
		this.serverSocket.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
