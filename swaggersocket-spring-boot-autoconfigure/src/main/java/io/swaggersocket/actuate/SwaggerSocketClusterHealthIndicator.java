package io.swaggersocket.actuate;

import io.swaggersocket.cluster.RedisConnectionDirectory;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of this hub's membership in the cluster: DOWN while the last write to the
 * cluster's directory (Redis) failed, since other hubs cannot find this hub's connections
 * then; UP otherwise. Details: the hub's id and URL, when the last refresh succeeded, and
 * while DOWN the reason.
 */
public class SwaggerSocketClusterHealthIndicator extends AbstractHealthIndicator {

	private final RedisConnectionDirectory directory;

	/**
	 * Create an indicator.
	 * @param directory the cluster's directory
	 */
	public SwaggerSocketClusterHealthIndicator(RedisConnectionDirectory directory) {
		super("SwaggerSocket cluster health check failed");
		this.directory = directory;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		RedisConnectionDirectory.Status status = this.directory.status();
		builder.withDetail("hubId", this.directory.hubId()).withDetail("hubUrl", this.directory.hubUrl().toString());
		if (status.lastRefresh() != null) {
			builder.withDetail("lastRefresh", status.lastRefresh().toString());
		}
		if (status.available()) {
			builder.up();
		}
		else {
			builder.down();
			if (status.lastFailure() != null) {
				builder.withDetail("reason", status.lastFailure());
			}
		}
	}

}
