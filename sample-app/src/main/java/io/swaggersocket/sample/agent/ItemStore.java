package io.swaggersocket.sample.agent;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * The agent's items, in memory: something to read and change over the socket.
 */
@Component
@Profile("agent")
public class ItemStore {

	// sorted by id, so that listing them gives the oldest first
	private final Map<Long, Item> items = new ConcurrentSkipListMap<>();

	private final AtomicLong ids = new AtomicLong();

	ItemStore(AgentIdentity identity) {
		add(identity.name() + " sensor");
		add(identity.name() + " relay");
	}

	List<Item> list() {
		return List.copyOf(this.items.values());
	}

	Optional<Item> find(long id) {
		return Optional.ofNullable(this.items.get(id));
	}

	Item add(String name) {
		Item item = new Item(this.ids.incrementAndGet(), name);
		this.items.put(item.id(), item);
		return item;
	}

	boolean remove(long id) {
		return this.items.remove(id) != null;
	}

	int count() {
		return this.items.size();
	}

}
