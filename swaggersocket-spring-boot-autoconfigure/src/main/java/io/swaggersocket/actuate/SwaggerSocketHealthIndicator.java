package io.swaggersocket.actuate;

import io.swaggersocket.client.SwaggerSocketClient;
import io.swaggersocket.connection.SwaggerSocketConnections;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of SwaggerSocket. In the client role it is DOWN while the client is not
 * connected (with the last failure and when the next attempt is due) and UP once
 * connected; in the server role only it is UP with the number of connections.
 */
public class SwaggerSocketHealthIndicator extends AbstractHealthIndicator {

	private final SwaggerSocketConnections connections;

	private final @Nullable SwaggerSocketClient client;

	/**
	 * Create an indicator.
	 * @param connections the registry of live connections
	 * @param client the client, if this application dials a server
	 */
	public SwaggerSocketHealthIndicator(SwaggerSocketConnections connections, @Nullable SwaggerSocketClient client) {
		super("SwaggerSocket health check failed");
		this.connections = connections;
		this.client = client;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("connections", this.connections.size());
		SwaggerSocketClient client = this.client;
		if (client == null) {
			builder.up();
			return;
		}
		builder.withDetail("server", client.getUrl().toString());
		client.getConnection()
			.ifPresentOrElse((connection) -> builder.up().withDetail("connectionId", connection.id()), () -> {
				builder.down();
				SwaggerSocketClient.Status status = client.getStatus();
				if (status.lastFailure() != null) {
					builder.withDetail("reason", status.lastFailure());
				}
				if (status.nextAttemptBefore() != null) {
					builder.withDetail("nextAttemptBefore", status.nextAttemptBefore().toString());
				}
				builder.withDetail("attempts", status.failedAttempts());
			});
	}

}
