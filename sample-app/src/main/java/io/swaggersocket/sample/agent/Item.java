package io.swaggersocket.sample.agent;

/**
 * An item the agent holds.
 *
 * @param id the id the agent assigned
 * @param name the item's name
 */
public record Item(long id, String name) {
}
