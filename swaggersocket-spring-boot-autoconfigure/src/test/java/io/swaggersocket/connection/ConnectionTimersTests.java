package io.swaggersocket.connection;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep's period: a tenth of the shorter of the heartbeat interval and the handshake
 * timeout, kept between 10 ms and 1 s.
 */
class ConnectionTimersTests {

	@Test
	void tickIsATenthOfTheShorterDeadline() {
		assertThat(ConnectionTimers.tick(options(Duration.ofSeconds(1), Duration.ofMillis(200))))
			.isEqualTo(Duration.ofMillis(20));
		assertThat(ConnectionTimers.tick(options(Duration.ofMillis(500), Duration.ofSeconds(2))))
			.isEqualTo(Duration.ofMillis(50));
	}

	@Test
	void tickStaysBetweenTenMillisecondsAndOneSecond() {
		assertThat(ConnectionTimers.tick(options(Duration.ofSeconds(10), Duration.ofSeconds(20))))
			.isEqualTo(Duration.ofSeconds(1));
		assertThat(ConnectionTimers.tick(options(Duration.ofSeconds(1), Duration.ofMillis(50))))
			.isEqualTo(Duration.ofMillis(10));
	}

	private static ConnectionOptions options(Duration handshakeTimeout, Duration heartbeatInterval) {
		return new ConnectionOptions(ConnectionSettings.DEFAULTS, handshakeTimeout, heartbeatInterval,
				heartbeatInterval.multipliedBy(3), 16 * 1024);
	}

}
