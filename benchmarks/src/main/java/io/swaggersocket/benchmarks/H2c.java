package io.swaggersocket.benchmarks;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.channel.ChannelId;
import io.netty.handler.codec.http2.Http2StreamChannel;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Row (f): the same WebFlux application served over HTTP/2 cleartext with prior knowledge
 * by Reactor Netty, called by a {@link WebClient} whose pool holds one connection, so
 * that every request is a stream multiplexed on that one TCP connection. Both ends use
 * the same flow-control windows as SwaggerSocket's defaults (256 KiB per stream) and
 * allow more concurrent streams than the highest concurrency measured, so that neither
 * limit is what differs. {@link Stats} proves it: the TCP connections the client opened,
 * and how many requests were HTTP/2 streams.
 */
final class H2c {

	/** SwaggerSocket's default initial stream window. */
	private static final int STREAM_WINDOW = 256 * 1024;

	private static final int MAX_STREAMS = 1024;

	private H2c() {
	}

	/**
	 * Serve an application's {@link HttpHandler} over h2c on an ephemeral loopback port.
	 * @param handler the application's handler (its whole WebFlux pipeline)
	 * @return the running server
	 */
	static DisposableServer startServer(HttpHandler handler) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.H2C)
			.http2Settings((settings) -> settings.maxConcurrentStreams(MAX_STREAMS).initialWindowSize(STREAM_WINDOW))
			.handle(new ReactorHttpHandlerAdapter(handler))
			.bindNow(Duration.ofSeconds(10));
	}

	/**
	 * A client of one h2c connection.
	 * @param builder the application's builder
	 * @param port the h2c server's port
	 * @param stats counts connections and streams
	 * @param resources collects what must be disposed at the end
	 * @return the client
	 */
	static WebClient client(WebClient.Builder builder, int port, Stats stats, java.util.List<AutoCloseable> resources) {
		ConnectionProvider one = ConnectionProvider.builder("benchmark-h2c")
			.maxConnections(1)
			.pendingAcquireMaxCount(-1)
			.build();
		resources.add(one::dispose);
		HttpClient client = HttpClient.create(one)
			.protocol(HttpProtocol.H2C)
			.http2Settings((settings) -> settings.initialWindowSize(STREAM_WINDOW))
			.doOnRequest((request, connection) -> stats.requestSent(connection.channel()))
			.doOnResponse((response, connection) -> stats.responseReceived());
		return builder.clientConnector(new ReactorClientHttpConnector(client))
			.baseUrl("http://127.0.0.1:" + port)
			.build();
	}

	/**
	 * What the h2c client did.
	 */
	static final class Stats {

		private final Set<ChannelId> connections = ConcurrentHashMap.newKeySet();

		private final LongAdder streams = new LongAdder();

		private final LongAdder requests = new LongAdder();

		private final AtomicInteger inFlight = new AtomicInteger();

		private final AtomicInteger peakInFlight = new AtomicInteger();

		void requestSent(Channel channel) {
			this.requests.increment();
			Channel connection = channel;
			if (channel instanceof Http2StreamChannel && channel.parent() != null) {
				this.streams.increment();
				connection = channel.parent();
			}
			this.connections.add(connection.id());
			this.peakInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
		}

		void responseReceived() {
			this.inFlight.decrementAndGet();
		}

		/**
		 * Return how many TCP connections carried the requests.
		 * @return the number of connections
		 */
		int connections() {
			return this.connections.size();
		}

		/**
		 * Return how many requests went as HTTP/2 streams.
		 * @return the number of streams
		 */
		long streams() {
			return this.streams.sum();
		}

		long requests() {
			return this.requests.sum();
		}

		/**
		 * Return the most requests that were waiting for their response headers at once
		 * on the connection: more than one means they were multiplexed.
		 * @return the peak
		 */
		int peakInFlight() {
			return this.peakInFlight.get();
		}

		@Override
		public String toString() {
			return requests() + " requests, " + streams() + " of them HTTP/2 streams, on " + connections()
					+ " TCP connection(s), up to " + peakInFlight() + " awaiting response headers at once";
		}

	}

}
