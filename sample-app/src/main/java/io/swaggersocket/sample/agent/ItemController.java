package io.swaggersocket.sample.agent;

import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The agent's items over HTTP: list, add, read and remove.
 */
@RestController
@Profile("agent")
@Tag(name = "items")
@RequestMapping(path = "/api/items", produces = MediaType.APPLICATION_JSON_VALUE)
public class ItemController {

	private final ItemStore store;

	ItemController(ItemStore store) {
		this.store = store;
	}

	@GetMapping
	Flux<Item> listItems() {
		return Flux.fromIterable(this.store.list());
	}

	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	Item createItem(@RequestBody NewItem newItem) {
		if (newItem.name() == null || newItem.name().isBlank()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "An item needs a name");
		}
		return this.store.add(newItem.name());
	}

	@GetMapping("/{id}")
	Mono<Item> getItem(@PathVariable long id) {
		return Mono.justOrEmpty(this.store.find(id)).switchIfEmpty(Mono.error(() -> noSuchItem(id)));
	}

	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void deleteItem(@PathVariable long id) {
		if (!this.store.remove(id)) {
			throw noSuchItem(id);
		}
	}

	private static ResponseStatusException noSuchItem(long id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "No item " + id);
	}

	/**
	 * What a caller sends to add an item.
	 *
	 * @param name the item's name
	 */
	public record NewItem(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) @Nullable String name) {
	}

}
