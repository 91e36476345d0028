package io.swaggersocket.actuate;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.swaggersocket.connection.ConnectionRole;
import io.swaggersocket.connection.SwaggerSocketClosedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectedEvent;
import io.swaggersocket.connection.SwaggerSocketConnectionEvent;
import io.swaggersocket.connection.SwaggerSocketConnections;
import io.swaggersocket.connection.SwaggerSocketFailedEvent;
import io.swaggersocket.connection.SwaggerSocketObserver;
import io.swaggersocket.protocol.ErrorCode;

import org.springframework.context.ApplicationListener;

/**
 * Micrometer meters for SwaggerSocket, all named {@code swaggersocket.*} and tagged only
 * with bounded values (no connection ids, no paths). The meters are:
 * <ul>
 * <li>{@code swaggersocket.connections} (gauge; role)</li>
 * <li>{@code swaggersocket.connection.events} (counter; role, kind
 * connected/closed/failed, reason)</li>
 * <li>{@code swaggersocket.requests} (timer; role, direction inbound/outbound, method,
 * status, outcome, attempt: 1 for a call's first stream, 2 and more for its retries on
 * another connection, {@code NONE} for the peer's calls)</li>
 * <li>{@code swaggersocket.heartbeat.round.trip} (timer; role)</li>
 * <li>{@code swaggersocket.bytes} (counter; role, direction in/out)</li>
 * <li>{@code swaggersocket.streams.reset} (counter; code, side sent/received)</li>
 * </ul>
 */
public class SwaggerSocketMetrics
		implements SwaggerSocketObserver, MeterBinder, ApplicationListener<SwaggerSocketConnectionEvent> {

	private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
			"TRACE");

	private final MeterRegistry registry;

	// looked up once per tag combination: bytes are counted per frame, requests per
	// stream
	private final Counter[] bytes = new Counter[4];

	private final Map<ExchangeKey, Timer> requests = new ConcurrentHashMap<>();

	private final Timer[] roundTrips = new Timer[2];

	private final Map<String, Counter> resets = new ConcurrentHashMap<>();

	/**
	 * Create the meters' binding.
	 * @param registry where the meters go
	 */
	public SwaggerSocketMetrics(MeterRegistry registry) {
		this.registry = registry;
		for (ConnectionRole role : ConnectionRole.values()) {
			for (boolean inbound : new boolean[] { true, false }) {
				this.bytes[bytesIndex(role, inbound)] = Counter.builder("swaggersocket.bytes")
					.baseUnit("bytes")
					.tag("role", tag(role))
					.tag("direction", inbound ? "in" : "out")
					.description("Bytes over SwaggerSocket connections, frame headers included")
					.register(registry);
			}
			this.roundTrips[role.ordinal()] = Timer.builder("swaggersocket.heartbeat.round.trip")
				.tag("role", tag(role))
				.publishPercentileHistogram()
				.description("Heartbeat ping to pong time")
				.register(registry);
		}
	}

	private static int bytesIndex(ConnectionRole role, boolean inbound) {
		return role.ordinal() * 2 + (inbound ? 1 : 0);
	}

	private record ExchangeKey(ConnectionRole role, boolean inbound, String method, int status, String outcome,
			int attempt) {
	}

	/**
	 * Register the connection gauges for a registry of connections.
	 * @param connections the registry of live connections
	 */
	public void bindConnections(SwaggerSocketConnections connections) {
		for (ConnectionRole role : ConnectionRole.values()) {
			Gauge
				.builder("swaggersocket.connections", connections,
						(registry) -> registry.list().stream().filter((c) -> c.info().role() == role).count())
				.tag("role", tag(role))
				.description("Live SwaggerSocket connections")
				.register(this.registry);
		}
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		// bytes and round-trip meters exist from the start, the tagged ones from first
		// use, the
		// gauges from bindConnections
	}

	@Override
	public void onApplicationEvent(SwaggerSocketConnectionEvent event) {
		String kind;
		String reason = "none";
		if (event instanceof SwaggerSocketConnectedEvent) {
			kind = "connected";
		}
		else if (event instanceof SwaggerSocketClosedEvent) {
			kind = "closed";
		}
		else if (event instanceof SwaggerSocketFailedEvent failed) {
			kind = "failed";
			reason = failed.getReason().name();
		}
		else {
			return;
		}
		Counter.builder("swaggersocket.connection.events")
			.tag("role", tag(event.getInfo().role()))
			.tag("kind", kind)
			.tag("reason", reason)
			.description("SwaggerSocket connection lifecycle events")
			.register(this.registry)
			.increment();
	}

	@Override
	public void exchangeCompleted(ExchangeRecord exchange) {
		String method = METHODS.contains(exchange.method()) ? exchange.method() : "OTHER";
		ExchangeKey key = new ExchangeKey(exchange.role(), exchange.inbound(), method, exchange.status(),
				exchange.outcome(), exchange.attempt());
		this.requests
			.computeIfAbsent(key,
					(k) -> Timer.builder("swaggersocket.requests")
						.tag("role", tag(k.role()))
						.tag("direction", k.inbound() ? "inbound" : "outbound")
						.tag("method", k.method())
						.tag("status", (k.status() > 0) ? Integer.toString(k.status()) : "NONE")
						.tag("outcome", k.outcome())
						.tag("attempt", (k.attempt() > 0) ? Integer.toString(k.attempt()) : "NONE")
						.description("Requests over SwaggerSocket, from stream open to stream end")
						.register(this.registry))
			.record(exchange.duration());
	}

	@Override
	public void bytesTransferred(ConnectionRole role, boolean inbound, long bytes) {
		this.bytes[bytesIndex(role, inbound)].increment((double) bytes);
	}

	@Override
	public void heartbeatRoundTrip(ConnectionRole role, Duration roundTrip) {
		this.roundTrips[role.ordinal()].record(roundTrip);
	}

	@Override
	public void streamReset(ErrorCode errorCode, boolean sent) {
		this.resets
			.computeIfAbsent(errorCode.name() + (sent ? " sent" : " received"),
					(key) -> Counter.builder("swaggersocket.streams.reset")
						.tag("code", errorCode.name())
						.tag("side", sent ? "sent" : "received")
						.description("Streams ended by a RESET frame")
						.register(this.registry))
			.increment();
	}

	private static String tag(ConnectionRole role) {
		return role.name().toLowerCase(Locale.ROOT);
	}

}
