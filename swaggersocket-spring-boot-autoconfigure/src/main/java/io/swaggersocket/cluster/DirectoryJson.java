package io.swaggersocket.cluster;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the JSON of the directory's entries. Uses a private,
 * default-configured mapper: the application's own mapper customizations must not change
 * what other hubs read.
 */
final class DirectoryJson {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private static final TypeReference<LinkedHashMap<String, Object>> METADATA = new TypeReference<>() {
	};

	private DirectoryJson() {
	}

	/**
	 * A connection's entry, without its hub's URL, which the hub's entry holds.
	 *
	 * @param connectionId the connection id
	 * @param metadata the connection's metadata
	 * @param hubId the id of the hub that holds it
	 * @param connectedAt when it was established
	 */
	record ConnectionEntry(String connectionId, Map<String, Object> metadata, String hubId, Instant connectedAt) {
	}

	/**
	 * A hub's entry.
	 *
	 * @param hubId the hub's id
	 * @param url the URL other hubs reach it at
	 * @param startedAt when it started
	 */
	record HubEntry(String hubId, URI url, Instant startedAt) {
	}

	static String connection(String connectionId, Map<String, Object> metadata, String hubId, Instant connectedAt) {
		ObjectNode root = MAPPER.createObjectNode();
		root.put("connectionId", connectionId);
		root.set("metadata", MAPPER.valueToTree(metadata));
		root.put("hubId", hubId);
		root.put("connectedAt", connectedAt.toString());
		return MAPPER.writeValueAsString(root);
	}

	static String hub(String hubId, URI url, Instant startedAt) {
		ObjectNode root = MAPPER.createObjectNode();
		root.put("hubId", hubId);
		root.put("url", url.toString());
		root.put("startedAt", startedAt.toString());
		return MAPPER.writeValueAsString(root);
	}

	/**
	 * Parse a connection's entry.
	 * @return the entry, or {@code null} if it is not one (written by something else)
	 */
	static @Nullable ConnectionEntry parseConnection(String json) {
		try {
			JsonNode root = MAPPER.readTree(json);
			Map<String, Object> metadata = MAPPER.convertValue(root.path("metadata"), METADATA);
			return new ConnectionEntry(root.path("connectionId").asString(), (metadata != null) ? metadata : Map.of(),
					root.path("hubId").asString(), Instant.parse(root.path("connectedAt").asString()));
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Parse a hub's entry.
	 * @return the entry, or {@code null} if it is not one
	 */
	static @Nullable HubEntry parseHub(String json) {
		try {
			JsonNode root = MAPPER.readTree(json);
			return new HubEntry(root.path("hubId").asString(), URI.create(root.path("url").asString()),
					Instant.parse(root.path("startedAt").asString()));
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
