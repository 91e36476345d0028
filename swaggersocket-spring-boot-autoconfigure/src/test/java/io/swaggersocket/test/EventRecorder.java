package io.swaggersocket.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.swaggersocket.connection.SwaggerSocketConnectionEvent;
import org.awaitility.Awaitility;

import org.springframework.context.ApplicationListener;

/**
 * Records every SwaggerSocket lifecycle event of one application, in order.
 */
public class EventRecorder implements ApplicationListener<SwaggerSocketConnectionEvent> {

	private final List<SwaggerSocketConnectionEvent> events = new CopyOnWriteArrayList<>();

	@Override
	public void onApplicationEvent(SwaggerSocketConnectionEvent event) {
		this.events.add(event);
	}

	/**
	 * Forget the events so far, and the connections they hold (for tests that make
	 * thousands).
	 */
	public void clear() {
		this.events.clear();
	}

	public List<SwaggerSocketConnectionEvent> events() {
		return List.copyOf(this.events);
	}

	public <E extends SwaggerSocketConnectionEvent> List<E> events(Class<E> type) {
		return this.events.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/**
	 * Wait until at least {@code count} events of a type were recorded and return the
	 * last one.
	 */
	public <E extends SwaggerSocketConnectionEvent> E await(Class<E> type, int count, Duration timeout) {
		Awaitility.await().atMost(timeout).until(() -> events(type).size() >= count);
		List<E> matching = events(type);
		return matching.get(count - 1);
	}

	public <E extends SwaggerSocketConnectionEvent> E await(Class<E> type) {
		return await(type, 1, Duration.ofSeconds(10));
	}

}
