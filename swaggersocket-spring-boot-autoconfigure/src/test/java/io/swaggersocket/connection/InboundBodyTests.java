package io.swaggersocket.connection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import org.springframework.core.io.buffer.DataBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The received body keeps the Reactive Streams rules whatever the stream does while its
 * subscriber is being set up.
 */
class InboundBodyTests {

	@Test
	void streamFailingDuringOnSubscribeIsSignalledOnlyAfterOnSubscribeReturns() {
		Stream stream = new Stream(null, false, 0);
		InboundBody body = stream.inbound;
		List<String> signals = new CopyOnWriteArrayList<>();
		body.subscribe(new Subscriber<DataBuffer>() {

			@Override
			public void onSubscribe(Subscription subscription) {
				signals.add("onSubscribe");
				// the connection drops while the subscriber sets itself up
				body.fail(new SwaggerSocketConnectionClosedException("dropped"));
				signals.add("onSubscribe returns");
			}

			@Override
			public void onNext(DataBuffer buffer) {
				signals.add("onNext");
			}

			@Override
			public void onError(Throwable ex) {
				signals.add("onError " + ex.getMessage());
			}

			@Override
			public void onComplete() {
				signals.add("onComplete");
			}

		});
		assertThat(signals).containsExactly("onSubscribe", "onSubscribe returns", "onError dropped");
	}

}
