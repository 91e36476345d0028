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
import java.util.concurrent.atomic.AtomicInteger;

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
 * Idle SwaggerSocket connections to the hub, measured on the hub alone. The dialing side
 * runs in its own JVM ({@link PeerProcess} in the {@code dialer} role): many
 * {@link SwaggerSocketClient}s built with their public constructors and sharing one
 * {@link ConnectionManager}, as many agents would. The hub's heap after a full collection
 * with them open, minus before, divided by their number, is the hub's heap per idle
 * connection.
 */
final class IdleConnectionsRunner implements AutoCloseable {

	/** Connections per round of the settle. */
	private static final int SETTLE_ROUND = 1000;

	/**
	 * The compile time, summed over the hub's and the dialer's JVMs, below which a round
	 * of the settle (about a second) counts as quiet.
	 */
	private static final long QUIET_COMPILE_MILLIS = 50;

	private final List<SwaggerSocketClient> clients = new ArrayList<>();

	private final Semaphore dialing = new Semaphore(0);

	private final AtomicInteger connected = new AtomicInteger();

	private final ConnectionManager manager;

	/** The dialer JVM is cold: handshakes/s counts the second half of the connections. */
	private volatile int half = -1;

	private volatile int halfConnected;

	private volatile long halfAt;

	/** The dialing side, in the dialer JVM. */
	IdleConnectionsRunner() {
		// the defaults an application gets from the starter's properties
		ConnectionOptions options = new ConnectionOptions(ConnectionSettings.DEFAULTS, Duration.ofSeconds(10),
				Duration.ofSeconds(20), Duration.ofSeconds(60), 16 * 1024);
		this.manager = new ConnectionManager(options, new SwaggerSocketConnections(), (event) -> {
			if (event instanceof SwaggerSocketConnectedEvent) {
				if (this.connected.incrementAndGet() == this.half) {
					this.halfConnected = this.half;
					this.halfAt = System.nanoTime();
				}
				this.dialing.release();
			}
		}, new SwaggerSocketHeartbeatHandler() {
		}, (connection, request, responder) -> responder.respond(List.of(new Header(":status", "404")), Flux.empty()));
		this.manager.start();
	}

	/**
	 * Open connections, at most {@code parallelism} handshaking at once; they stay open
	 * until {@link #close()}.
	 * @param url the hub's SwaggerSocket URL
	 * @param count how many
	 * @param parallelism how many may be handshaking at once
	 * @param timeout the longest it may take
	 * @return how many completed their handshake, and how long it took
	 * @throws InterruptedException if interrupted
	 */
	Dialed dial(URI url, int count, int parallelism, Duration timeout) throws InterruptedException {
		// a round of the settle may have dialed before: count this dial alone
		this.dialing.drainPermits();
		this.connected.set(0);
		this.halfConnected = 0;
		this.halfAt = 0;
		this.half = count / 2;
		this.dialing.release(parallelism);
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
		while (this.connected.get() < count && System.nanoTime() < deadline) {
			Topology.sleep(5);
		}
		long end = System.nanoTime();
		int open = this.connected.get();
		int secondHalf = open - this.halfConnected;
		double rate = (open == count && secondHalf > 0 && this.halfAt > 0) ? secondHalf / ((end - this.halfAt) / 1e9)
				: open / ((end - start) / 1e9);
		return new Dialed(open, (end - start) / 1e9, rate);
	}

	/**
	 * Measure the hub's heap per idle connection: dial from the dialer JVM, wait until
	 * the hub lists them, collect garbage on the hub.
	 * @param hubPort the hub's port
	 * @param hubConnections the hub's registry
	 * @param dialer the dialer JVM
	 * @param settings the run's settings
	 * @return the result
	 */
	static Result measure(int hubPort, SwaggerSocketConnections hubConnections, ChildJvm dialer,
			BenchmarkSettings settings) {
		Settle settled = settings.idleSettle().isZero() ? new Settle(0, Double.NaN)
				: settle(hubPort, hubConnections, dialer, settings);
		int count = settings.idleConnections();
		Duration timeout = settings.transferTimeout();
		int hubBefore = hubConnections.size();
		long heapBefore = HeapMeter.usedAfterFullGc();
		String[] dialed = dialer.call("dial " + Topology.socketUrl(hubPort) + " " + count + " "
				+ settings.idleParallelism() + " " + timeout.toMillis(), "DIALED", timeout.plusMinutes(1));
		int open = Integer.parseInt(dialed[1]);
		double seconds = Double.parseDouble(dialed[2]);
		double handshakesPerSecond = Double.parseDouble(dialed[3]);
		// the hub registers each connection when the client's READY arrives, a moment
		// after the client
		long listed = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (hubConnections.size() < hubBefore + open && System.nanoTime() < listed) {
			Topology.sleep(20);
		}
		int onHub = hubConnections.size() - hubBefore;
		long heapAfter = HeapMeter.usedAfterFullGc();
		if (settings.idleHistogram()) {
			printClassHistogram(onHub);
		}
		return new Result(count, open, onHub, seconds, handshakesPerSecond, heapAfter - heapBefore, settled);
	}

	/**
	 * Open and close rounds of connections until the hub's and the dialer's compilers go
	 * quiet: handshakes/s counted the second half of the connections, and a profile of
	 * that half still found a third of both CPUs' samples in the two JVMs' compilers.
	 */
	private static Settle settle(int hubPort, SwaggerSocketConnections hubConnections, ChildJvm dialer,
			BenchmarkSettings settings) {
		int hubBefore = hubConnections.size();
		int count = Math.min(SETTLE_ROUND, settings.idleConnections());
		Duration timeout = settings.transferTimeout();
		List<Double> rates = new ArrayList<>();
		Benchmarks.Settled settled = Benchmarks.settle(settings.idleSettle(), QUIET_COMPILE_MILLIS,
				() -> LoadRunner.compileMillis() + dialer.compileMillis(), () -> {
					String[] churned = dialer.call("churn " + Topology.socketUrl(hubPort) + " " + count + " "
							+ settings.idleParallelism() + " " + timeout.toMillis(), "CHURNED", timeout.plusMinutes(1));
					rates.add(Double.parseDouble(churned[3]));
					// the hub lets go of each connection a moment after the dialer
					long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
					while (hubConnections.size() > hubBefore && System.nanoTime() < deadline) {
						Topology.sleep(20);
					}
				});
		Benchmarks.progress("  Hub and dialer " + settled.state() + " after " + settled.rounds() + " round(s) of "
				+ count + " connections opened and closed, " + settled.seconds() + " s: their compilers spent "
				+ settled.compiledMillis() + " ms in the last round; handshakes/s per round "
				+ rates.stream().map((rate) -> String.format("%,.0f", rate)).toList());
		return new Settle(settled.rounds(), rates.isEmpty() ? Double.NaN : rates.get(0));
	}

	private static void printClassHistogram(int connections) {
		try {
			String histogram = (String) ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
			System.err.println("Heap histogram with the idle connections open (top 40):");
			histogram.lines().limit(43).forEach(System.err::println);
			// what a change to the library moves is mostly in the long tail: every class
			// with at least one instance per connection, and what it costs per connection
			System.err.println(
					"Classes with at least one instance per connection (" + connections + "), bytes per connection:");
			histogram.lines()
				.map((line) -> line.trim().split("\\s+"))
				.filter((fields) -> fields.length >= 4)
				.filter((fields) -> fields[1].matches("\\d+") && connections > 0
						&& Long.parseLong(fields[1]) >= connections)
				.forEach((fields) -> System.err.printf("%8d %8.1f  %s%n", Long.parseLong(fields[1]),
						Long.parseLong(fields[2]) / (double) connections, fields[3]));
		}
		catch (Exception ex) {
			System.err.println("No class histogram: " + ex);
		}
	}

	/**
	 * Open connections as {@link #dial} does, then close them again: a round of the
	 * settle, which runs the handshake's code in both JVMs until it is compiled.
	 * @param url the hub's SwaggerSocket URL
	 * @param count how many
	 * @param parallelism how many may be handshaking at once
	 * @param timeout the longest it may take
	 * @return what the dial did
	 * @throws InterruptedException if interrupted
	 */
	Dialed churn(URI url, int count, int parallelism, Duration timeout) throws InterruptedException {
		Dialed dialed = dial(url, count, parallelism, timeout);
		stopClients();
		return dialed;
	}

	private void stopClients() {
		CountDownLatch stopped = new CountDownLatch(this.clients.size());
		this.clients.forEach((client) -> client.stop(stopped::countDown));
		try {
			stopped.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.clients.clear();
	}

	@Override
	public void close() {
		stopClients();
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
	 * @param seconds from the first dial to the last handshake, in the dialer
	 * @param handshakesPerSecond see {@link Dialed}
	 * @param heapGrowth the hub's heap in use after a full collection with them open,
	 * minus before
	 * @param settle the rounds opened and closed before
	 */
	record Result(int requested, int open, int onHub, double seconds, double handshakesPerSecond, long heapGrowth,
			Settle settle) {

		double heapPerConnection() {
			return (this.onHub > 0) ? (double) this.heapGrowth / this.onHub : 0;
		}

	}

	/**
	 * The rounds of connections opened and closed before the measured ones.
	 *
	 * @param rounds how many
	 * @param firstHandshakesPerSecond the first round's handshakes/s (counted as in
	 * {@link Dialed}), both JVMs cold; NaN without rounds
	 */
	record Settle(int rounds, double firstHandshakesPerSecond) {

	}

	/**
	 * What the dialer did.
	 *
	 * @param open how many completed the handshake on the client side
	 * @param seconds from the first dial to the last handshake
	 * @param handshakesPerSecond handshakes per second over the second half of the
	 * connections, once the dialer's JIT has warmed up on the first half (over all of
	 * them if not all opened)
	 */
	record Dialed(int open, double seconds, double handshakesPerSecond) {

	}

}
