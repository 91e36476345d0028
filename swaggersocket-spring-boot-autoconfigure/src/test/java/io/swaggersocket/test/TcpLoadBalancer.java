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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP load balancer in front of several hubs, as users run a cluster: each new
 * connection goes to the next backend in turn that accepts it, so a client that redials
 * after its hub died lands on a live one. Bytes are relayed as they are, both ways; when
 * either side ends, both do.
 */
public final class TcpLoadBalancer implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final List<Integer> backends;

	private final AtomicInteger next = new AtomicInteger();

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean closed;

	public TcpLoadBalancer(List<Integer> backendPorts) throws IOException {
		this.backends = new CopyOnWriteArrayList<>(backendPorts);
		this.serverSocket = new ServerSocket();
		this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		Thread acceptor = new Thread(this::acceptLoop, "balancer-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.serverSocket.getLocalPort();
	}

	/** The WebSocket URL of the cluster, through this balancer. */
	public String socketUrl() {
		return TestApplications.socketUrl(port());
	}

	private void acceptLoop() {
		while (!this.closed) {
			try {
				Socket client = this.serverSocket.accept();
				Socket backend = connectToNextBackend();
				if (backend == null) {
					client.close();
					continue;
				}
				this.sockets.add(client);
				this.sockets.add(backend);
				pump(client, backend);
				pump(backend, client);
			}
			catch (IOException ex) {
				// closed, or one client failed: the others carry on
			}
		}
	}

	private Socket connectToNextBackend() {
		for (int attempt = 0; attempt < this.backends.size(); attempt++) {
			int port = this.backends.get(Math.floorMod(this.next.getAndIncrement(), this.backends.size()));
			try {
				return new Socket(InetAddress.getLoopbackAddress(), port);
			}
			catch (IOException ex) {
				// that backend is down: try the next one, as a balancer's health check
				// would
			}
		}
		return null;
	}

	private void pump(Socket from, Socket to) {
		Thread pump = new Thread(() -> {
			byte[] buffer = new byte[64 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
				}
			}
			catch (IOException ex) {
				// one end went away: the other end is closed below
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		}, "balancer-pump");
		pump.setDaemon(true);
		pump.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		this.closed = true;
		this.serverSocket.close();
		this.sockets.forEach(TcpLoadBalancer::closeQuietly);
	}

}
