package io.swaggersocket.connection;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The go-away signals a connection gives to whoever waits for them, created only when
 * somebody does (an idle connection keeps none):
 * {@link SwaggerSocketConnection#goingAway()} completes for a subscriber that came before
 * GOAWAY and for one that comes after, and a graceful close of a connection without
 * streams completes without waiting for its drain timeout.
 */
class DuplexGoAwaySignalTests {

	private static final Duration LONG_DRAIN = Duration.ofSeconds(30);

	@Test
	void goingAwayCompletesForSubscribersBeforeAndAfterThePeersGoAway() {
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			Mono<Void> before = pair.client().goingAway().cache();
			before.subscribe();
			assertThat(pair.client().isGoingAway()).isFalse();

			pair.server().close(LONG_DRAIN).subscribe();

			StepVerifier.create(before).expectComplete().verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(pair.client().goingAway()).expectComplete().verify(TestConnectionPair.TIMEOUT);
		}
	}

	@Test
	void gracefulCloseWithoutStreamsDoesNotWaitForTheDrainTimeout() {
		try (TestConnectionPair pair = TestConnectionPair.connect(TestConnectionPair.echo(),
				TestConnectionPair.none())) {
			StepVerifier.create(pair.server().close(LONG_DRAIN)).expectComplete().verify(TestConnectionPair.TIMEOUT);
			StepVerifier.create(pair.server().goingAway()).expectComplete().verify(TestConnectionPair.TIMEOUT);
			TestConnectionPair.eventually().until(() -> !pair.client().isOpen());
		}
	}

}
