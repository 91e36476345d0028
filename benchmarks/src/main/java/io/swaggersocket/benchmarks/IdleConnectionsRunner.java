package io.swaggersocket.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;

import io.swaggersocket.client.ReconnectPolicy;
import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.ConnectionManager;
import io.swaggersocket.connection.ConnectionOptions;
import io.swaggersocket.connection.ConnectionSettings;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketHeartbeatHandler;
import io.swaggersocket.protocol.Header;
import reactor.core.publisher.Flux;

import org.springframework.http.HttpHeaders;

/**
 * Opens many idle SwaggerSocket connections to the hub, from {@link SwaggerSocketClient}s
 * built with their public constructors and sharing one {@link ConnectionManager}, as many
 * agents would. Both ends live in this JVM, so the heap figure per connection covers both
 * ends.
 */
final class IdleConnectionsRunner implements AutoCloseable {

	private final List<SwaggerSocketClient> clients = new ArrayList<>();

	private final ConnectionManager manager;

	private final Semaphore dialing;

	private final CountDownLatch connected;

	private IdleConnectionsRunner(int connections, int parallelism) {
		this.dialing = new Semaphore(parallelism);
		this.connected = new CountDownLatch(connections);
		// the defaults an application gets from the starter's properties
		ConnectionOptions options = new ConnectionOptions(ConnectionSettings.DEFAULTS, Duration.ofSeconds(10),
				Duration.ofSeconds(20), Duration.ofSeconds(60), 16 * 1024);
		this.manager = new ConnectionManager(options, new SwaggerSocketConnections(), (event) -> {
			if (event instanceof SwaggerSocketConnectedEvent) {
				this.dialing.release();
				this.connected.countDown();
			}
		}, new SwaggerSocketHeartbeatHandler() {
		}, (connection, request, responder) -> responder.respond(List.of(new Header(":status", "404")), Flux.empty()));
		this.manager.start();
	}

	/**
	 * Prepare a runner; close it at the very end.
	 * @param settings the run's settings
	 * @return the runner
	 */
	static IdleConnectionsRunner create(BenchmarkSettings settings) {
		return new IdleConnectionsRunner(settings.idleConnections(), settings.idleParallelism());
	}

	/**
	 * Open the connections and measure; they stay open until {@link #close()}.
	 * @param hubPort the hub's port
	 * @param hubConnections the hub's registry
	 * @param settings the run's settings
	 * @return the result
	 * @throws InterruptedException if interrupted while waiting for the handshakes
	 */
	Result measure(int hubPort, SwaggerSocketConnections hubConnections, BenchmarkSettings settings)
			throws InterruptedException {
		int count = settings.idleConnections();
		Duration timeout = settings.transferTimeout();
		int hubBefore = hubConnections.size();
		long heapBefore = HeapMeter.usedAfterFullGc();
		URI url = URI.create(Topology.socketUrl(hubPort));
		ReconnectPolicy reconnect = new ReconnectPolicy(Duration.ofMillis(200), Duration.ofSeconds(2), 0.5);
		long deadline = System.nanoTime() + timeout.toNanos();
		long start = System.nanoTime();
		for (int i = 0; i < count; i++) {
			long left = deadline - System.nanoTime();
			if (!this.dialing.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
				break;
			}
			Map<String, Object> metadata = Map.of("name", "idle-" + i);
			SwaggerSocketClient client = new SwaggerSocketClient(url, () -> metadata, HttpHeaders::new, reconnect,
					this.manager);
			this.clients.add(client);
			client.start();
		}
		this.connected.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		double seconds = (System.nanoTime() - start) / 1e9;
		int open = count - (int) this.connected.getCount();
		// the hub registers each connection when the client's READY arrives, a moment
		// after the client
		long settle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (hubConnections.size() < hubBefore + open && System.nanoTime() < settle) {
			Topology.sleep(20);
		}
		int onHub = hubConnections.size() - hubBefore;
		long heapAfter = HeapMeter.usedAfterFullGc();
		if (settings.idleHistogram()) {
			printClassHistogram();
		}
		return new Result(count, open, onHub, seconds, heapAfter - heapBefore);
	}

	private static void printClassHistogram() {
		try {
			String histogram = (String) ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
			System.err.println("Heap histogram with the idle connections open (top 40):");
			histogram.lines().limit(43).forEach(System.err::println);
		}
		catch (Exception ex) {
			System.err.println("No class histogram: " + ex);
		}
	}

	@Override
	public void close() {
		CountDownLatch stopped = new CountDownLatch(this.clients.size());
		this.clients.forEach((client) -> client.stop(stopped::countDown));
		try {
			stopped.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		CountDownLatch managerStopped = new CountDownLatch(1);
		this.manager.stop(managerStopped::countDown);
		try {
			managerStopped.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The idle connections' figures.
	 *
	 * @param requested how many were to be opened
	 * @param open how many completed the handshake on the client side
	 * @param onHub how many the hub lists
	 * @param seconds from the first dial to the last handshake
	 * @param heapGrowth heap in use after a full collection, with them open, minus before
	 */
	record Result(int requested, int open, int onHub, double seconds, long heapGrowth) {

		double handshakesPerSecond() {
			return this.open / this.seconds;
		}

		double heapPerConnection() {
			return (this.open > 0) ? (double) this.heapGrowth / this.open : 0;
		}

	}

}
