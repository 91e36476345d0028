package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Two hubs sharing a directory in a {@code redis-server} of their own, and one agent
 * connected to hub A, each in its own JVM; the load generator in this JVM calls the agent
 * as an outside client does, over HTTP/1.1 through a hub's gateway
 * ({@code /peers/{id}/**}): through hub A (same hub) or through hub B, which forwards the
 * call to hub A (cross hub). Both rows are the same client and the same request, only the
 * hub's port differs.
 */
final class ClusterTopology {

	static final String SECRET = "benchmark-cluster-secret";

	final RedisProcess redis;

	final ChildJvm hubA;

	final ChildJvm hubB;

	private final CompletableFuture<ChildJvm> agent;

	private final BenchmarkSettings settings;

	private final Closer closer;

	private @Nullable WebClientTransport sameHub;

	private @Nullable WebClientTransport crossHub;

	private @Nullable String agentId;

	private long @Nullable [] previousCpu;

	private long @Nullable [] lastCpu;

	private ClusterTopology(RedisProcess redis, BenchmarkSettings settings, Closer closer) {
		this.redis = redis;
		this.settings = settings;
		this.closer = closer;
		this.hubA = ChildJvm.launch("hub-a", settings.childJvmOptions(), hubArguments("hub-a", redis));
		closer.add(this.hubA);
		this.hubB = ChildJvm.launch("hub-b", settings.childJvmOptions(), hubArguments("hub-b", redis));
		closer.add(this.hubB);
		// the agent needs hub A's port: it starts as soon as hub A is up, while the run
		// goes on
		this.agent = CompletableFuture.supplyAsync(() -> {
			this.hubA.awaitReady(Duration.ofMinutes(2));
			ChildJvm started = ChildJvm.launch("agent-cluster", settings.childJvmOptions(),
					List.of("agent", "agent-cluster", Topology.socketUrl(this.hubA.port("http"))));
			closer.add(started);
			return started;
		});
	}

	/**
	 * Start Redis and launch the hubs' JVMs, or say why not.
	 * @param settings the run's settings
	 * @param closer what to close at the very end
	 * @return the starting topology, or {@code null} if {@code redis-server} is not
	 * installed
	 */
	static @Nullable ClusterTopology start(BenchmarkSettings settings, Closer closer) {
		String executable = RedisProcess.executable();
		if (executable == null) {
			return null;
		}
		RedisProcess redis = RedisProcess.start(executable);
		closer.add(redis);
		return new ClusterTopology(redis, settings, closer);
	}

	private static List<String> hubArguments(String name, RedisProcess redis) {
		return List.of("hub", name, "--spring.data.redis.url=" + redis.url(), "--spring.data.redis.timeout=2s",
				"--swaggersocket.cluster.enabled=true", "--swaggersocket.cluster.secret=" + SECRET,
				"--swaggersocket.cluster.hub-id=" + name, "--swaggersocket.server.gateway.enabled=true");
	}

	/**
	 * Wait for every JVM, build both transports and wait until hub B finds the agent.
	 * @return this topology
	 */
	synchronized ClusterTopology ready() {
		if (this.sameHub != null) {
			return this;
		}
		this.hubB.awaitReady(Duration.ofMinutes(2));
		ChildJvm agentJvm = this.agent.join();
		agentJvm.awaitReady(Duration.ofMinutes(2));
		String id = agentJvm.value("connection");
		this.agentId = id;
		// one pool for both rows, as large as the highest concurrency: HTTP/1.1 needs a
		// connection per request in flight
		ConnectionProvider pool = ConnectionProvider.builder("benchmark-cluster")
			.maxConnections(Math.max(16,
					this.settings.clusterConcurrencies().stream().mapToInt(Integer::intValue).max().orElse(1) * 2))
			.pendingAcquireMaxCount(-1)
			.build();
		this.closer.add(pool::dispose);
		WebClient.Builder builder = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)));
		this.sameHub = new WebClientTransport(Report.SAME_HUB, builder.clone().baseUrl(gateway(this.hubA, id)).build(),
				true);
		this.crossHub = new WebClientTransport(Report.CROSS_HUB,
				builder.clone().baseUrl(gateway(this.hubB, id)).build(), true);
		awaitAnswer(this.crossHub);
		return this;
	}

	private static String gateway(ChildJvm hub, String connectionId) {
		return "http://127.0.0.1:" + hub.port("http") + "/peers/" + connectionId;
	}

	/** Hub A publishes the agent a moment after it connects. */
	private static void awaitAnswer(WebClientTransport transport) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		RuntimeException last = null;
		while (System.nanoTime() < deadline) {
			try {
				transport.echo(1).block(Duration.ofSeconds(5));
				return;
			}
			catch (RuntimeException ex) {
				last = ex;
				Topology.sleep(50);
			}
		}
		throw new IllegalStateException("The agent cannot be reached through hub B within 30 s", last);
	}

	WebClientTransport sameHub() {
		return java.util.Objects.requireNonNull(ready().sameHub);
	}

	WebClientTransport crossHub() {
		return java.util.Objects.requireNonNull(ready().crossHub);
	}

	String agentId() {
		return java.util.Objects.requireNonNull(ready().agentId);
	}

	/**
	 * The CPU time of every process taking part: this one (the load generator), both hubs
	 * and the agent.
	 * @return nanoseconds
	 */
	long cpuNanos() {
		long[] hubA = this.hubA.cpuAndCompileTime();
		long[] hubB = this.hubB.cpuAndCompileTime();
		long[] agent = this.agent.join().cpuAndCompileTime();
		// CPU nanoseconds of each process, then the milliseconds each one's JIT spent
		long[] now = { LoadRunner.processCpuNanos(), hubA[0], hubB[0], agent[0], LoadRunner.compileMillis(), hubA[1],
				hubB[1], agent[1] };
		this.previousCpu = this.lastCpu;
		this.lastCpu = now;
		return now[0] + now[1] + now[2] + now[3];
	}

	/**
	 * The CPU time of each process taking part so far: the load generator, hub A, hub B
	 * and the agent.
	 * @return nanoseconds, in that order
	 */
	long[] processCpuNanos() {
		return new long[] { LoadRunner.processCpuNanos(), this.hubA.cpuNanos(), this.hubB.cpuNanos(),
				this.agent.join().cpuNanos() };
	}

	/**
	 * The time the JIT compilers of every process taking part have spent so far.
	 * @return milliseconds
	 */
	long compileMillis() {
		return LoadRunner.compileMillis() + this.hubA.compileMillis() + this.hubB.compileMillis()
				+ this.agent.join().compileMillis();
	}

	/**
	 * Say how the CPU time between the last two reads of {@link #cpuNanos()} (a cell's
	 * start and end) splits over the processes, per request: the same-hub and cross-hub
	 * rows differ by more than the extra hop only if a process spends more per request.
	 * @param cell the cell measured between those reads
	 * @return the split, for the progress output
	 */
	String cpuSplit(LoadRunner.Cell cell) {
		long[] before = this.previousCpu;
		long[] after = this.lastCpu;
		if (before == null || after == null || cell.requests() == 0) {
			return "";
		}
		String[] names = { "caller", "hub A", "hub B", "agent" };
		StringBuilder split = new StringBuilder("    CPU µs/req by process:");
		for (int i = 0; i < names.length; i++) {
			split.append(
					String.format(Locale.ROOT, " %s %.0f", names[i], (after[i] - before[i]) / 1e3 / cell.requests()));
		}
		// a JVM still compiling counts its compiler threads in the figures above
		split.append("; JIT compiling meanwhile, ms:");
		for (int i = 0; i < names.length; i++) {
			split.append(" ").append(names[i]).append(" ").append(after[4 + i] - before[4 + i]);
		}
		return split.toString();
	}

	/**
	 * A probe for the large transfers of a row: the throughput over time and, for the
	 * cross-hub row, which link between the hubs carried the body's bytes (a large upload
	 * is to go on the link hub A dialed back to hub B, on which hub B is the server and
	 * sends unmasked; a download on hub B's own link, on which hub A is the server).
	 * @param row the same-hub or the cross-hub row
	 * @return the probe
	 */
	LargeBodyRunner.Probe probe(WebClientTransport row) {
		boolean crossHub = row == this.crossHub;
		// a body's cost per byte in each process: where a cross-hub transfer spends what
		// the same-hub one does not
		ProcessCpuProbe cpu = new ProcessCpuProbe(List.of("caller", "hub A", "hub B", "agent"), this::processCpuNanos);
		return new LargeBodyRunner.Probe() {

			private Map<String, long[]> linksBefore = Map.of();

			@Override
			public void before() {
				if (crossHub) {
					this.linksBefore = links();
				}
				cpu.before();
			}

			@Override
			public String after() {
				String summary = cpu.after();
				if (!crossHub) {
					return summary;
				}
				StringBuilder links = new StringBuilder();
				for (Map.Entry<String, long[]> link : links().entrySet()) {
					long[] before = this.linksBefore.getOrDefault(link.getKey(), new long[2]);
					long in = link.getValue()[0] - before[0];
					long out = link.getValue()[1] - before[1];
					if (in + out > 1024 * 1024) {
						links.append(String.format(Locale.ROOT, "; %s: in %s, out %s", link.getKey(), Report.size(in),
								Report.size(out)));
					}
				}
				return summary + ((links.length() > 0) ? links : "; no link carried the body");
			}

		};
	}

	/**
	 * Both hubs' links and their byte counters, by a name that says which hub counted and
	 * who dialed the link: {@code hub B's link to A} (hub B dialed it, its client) or
	 * {@code hub B's link from A} (hub A dialed it back).
	 */
	private Map<String, long[]> links() {
		Map<String, long[]> links = new LinkedHashMap<>();
		for (ChildJvm hub : List.of(this.hubA, this.hubB)) {
			String[] answer = hub.call("links", "LINKS", Duration.ofSeconds(30));
			String self = (hub == this.hubA) ? "A" : "B";
			String other = (hub == this.hubA) ? "B" : "A";
			for (int i = 1; i < answer.length; i++) {
				String[] fields = answer[i].split(":");
				String name = "hub " + self + "'s link " + ("CLIENT".equals(fields[0]) ? "to " : "from ") + other + " ("
						+ fields[1].substring(0, Math.min(8, fields[1].length())) + ")";
				links.put(name, new long[] { Long.parseLong(fields[2]), Long.parseLong(fields[3]) });
			}
		}
		return links;
	}

	/**
	 * Time the directory look-up in hub B, one at a time: fresh (a read of Redis, as the
	 * first call for an agent in a second and the look-up after a 421 make it) and kept
	 * (as every other call makes it).
	 * @param count how many of each
	 * @return the timings
	 */
	LookUps lookUps(int count) {
		String[] answer = this.hubB.call("lookups " + agentId() + " " + count, "LOOKUPS", Duration.ofMinutes(2));
		List<Long> nanos = new ArrayList<>();
		for (int i = 1; i < answer.length; i++) {
			nanos.add(Long.parseLong(answer[i]));
		}
		return new LookUps(count, nanos.get(0), nanos.get(1), nanos.get(2), nanos.get(3), nanos.get(4), nanos.get(5));
	}

	/**
	 * Hub B's directory look-ups of the agent on hub A, one at a time.
	 *
	 * @param count how many of each kind
	 * @param freshP50 the median of a fresh look-up (a Redis read), in nanoseconds
	 * @param freshP99 its 99th percentile
	 * @param freshMax its maximum
	 * @param keptP50 the median of a look-up answered from the kept location
	 * @param keptP99 its 99th percentile
	 * @param keptMax its maximum
	 */
	record LookUps(int count, long freshP50, long freshP99, long freshMax, long keptP50, long keptP99, long keptMax) {
	}

}
