package io.swaggersocket.actuate;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

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
 * Micrometer meters for SwaggerSocket, all named {@code swaggersocket.*} and tagged only with
 * bounded values (no connection ids, no paths):
 * <ul>
 * <li>{@code swaggersocket.connections} (gauge; role)</li>
 * <li>{@code swaggersocket.connection.events} (counter; role, kind connected/closed/failed, reason)</li>
 * <li>{@code swaggersocket.requests} (timer; role, direction inbound/outbound, method, status, outcome)</li>
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

	/**
	 * Create the meters' binding.
	 * @param registry where the meters go
	 */
	public SwaggerSocketMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Register the connection gauges for a registry of connections.
	 * @param connections the registry of live connections
	 */
	public void bindConnections(SwaggerSocketConnections connections) {
		for (ConnectionRole role : ConnectionRole.values()) {
			Gauge.builder("swaggersocket.connections", connections,
					(registry) -> registry.list().stream().filter((c) -> c.info().role() == role).count())
				.tag("role", tag(role))
				.description("Live SwaggerSocket connections")
				.register(this.registry);
		}
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		// meters are created as they are first used; the gauges by bindConnections
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
		Timer.builder("swaggersocket.requests")
			.tag("role", tag(exchange.role()))
			.tag("direction", exchange.inbound() ? "inbound" : "outbound")
			.tag("method", METHODS.contains(exchange.method()) ? exchange.method() : "OTHER")
			.tag("status", (exchange.status() > 0) ? Integer.toString(exchange.status()) : "NONE")
			.tag("outcome", exchange.outcome())
			.description("Requests over SwaggerSocket, from stream open to stream end")
			.register(this.registry)
			.record(exchange.duration());
	}

	@Override
	public void bytesTransferred(ConnectionRole role, boolean inbound, long bytes) {
		Counter.builder("swaggersocket.bytes")
			.baseUnit("bytes")
			.tag("role", tag(role))
			.tag("direction", inbound ? "in" : "out")
			.description("Bytes over SwaggerSocket connections, frame headers included")
			.register(this.registry)
			.increment(bytes);
	}

	@Override
	public void heartbeatRoundTrip(ConnectionRole role, Duration roundTrip) {
		Timer.builder("swaggersocket.heartbeat.round.trip")
			.tag("role", tag(role))
			.publishPercentileHistogram()
			.description("Heartbeat ping to pong time")
			.register(this.registry)
			.record(roundTrip);
	}

	@Override
	public void streamReset(ErrorCode errorCode, boolean sent) {
		Counter.builder("swaggersocket.streams.reset")
			.tag("code", errorCode.name())
			.tag("side", sent ? "sent" : "received")
			.description("Streams ended by a RESET frame")
			.register(this.registry)
			.increment();
	}

	private static String tag(ConnectionRole role) {
		return role.name().toLowerCase(Locale.ROOT);
	}

}
