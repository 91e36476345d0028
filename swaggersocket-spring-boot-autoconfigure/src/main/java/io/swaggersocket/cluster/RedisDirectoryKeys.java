package io.swaggersocket.cluster;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The layout of the directory's Redis keys. Every user-given part (hub id, metadata key
 * and value) is URL-encoded, so that no id or value can make one key look like another.
 * The prefix is a hash tag ({@code {P}}): all keys share one hash slot, so the scripts,
 * which touch several keys at once, also run on Redis Cluster.
 *
 * <ul>
 * <li>{@code {P}:hub:H} the hub's description (JSON), expires with the hub;
 * <li>{@code {P}:hub:H:connections} set of the ids hub {@code H} published, which it
 * reconciles with its live connections;
 * <li>{@code {P}:hubs} sorted set of hub ids, scored by expiry;
 * <li>{@code {P}:connection:C} one connection's entry (JSON), expires with its hub;
 * <li>{@code {P}:connections} sorted set of every connection id, scored by expiry;
 * <li>{@code {P}:metadata:K=V} sorted set of the ids of the connections whose metadata
 * has top-level entry {@code K} with text {@code V}, scored by expiry.
 * </ul>
 */
final class RedisDirectoryKeys {

	private final String prefix;

	RedisDirectoryKeys(String prefix) {
		this.prefix = "{" + prefix + "}";
	}

	String hub(String hubId) {
		return this.prefix + ":hub:" + encode(hubId);
	}

	String hubConnections(String hubId) {
		return hub(hubId) + ":connections";
	}

	String hubs() {
		return this.prefix + ":hubs";
	}

	String connection(String connectionId) {
		return this.prefix + ":connection:" + encode(connectionId);
	}

	String connections() {
		return this.prefix + ":connections";
	}

	String metadata(String key, String value) {
		return this.prefix + ":metadata:" + encode(key) + "=" + encode(value);
	}

	/**
	 * The index keys of a connection's metadata: one per top-level entry whose value is a
	 * string, a number or a boolean.
	 */
	List<String> metadataIndexes(Map<String, Object> metadata) {
		List<String> keys = new ArrayList<>();
		metadata.forEach((key, value) -> {
			if (isIndexed(value)) {
				keys.add(metadata(key, String.valueOf(value)));
			}
		});
		return keys;
	}

	static boolean isIndexed(@org.jspecify.annotations.Nullable Object value) {
		return value instanceof String || value instanceof Number || value instanceof Boolean;
	}

	private static String encode(String part) {
		return URLEncoder.encode(part, StandardCharsets.UTF_8);
	}

}
