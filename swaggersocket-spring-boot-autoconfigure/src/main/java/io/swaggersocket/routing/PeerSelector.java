package io.swaggersocket.routing;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

import org.springframework.web.util.UriUtils;

/**
 * Chooses peers by their connection metadata: one or more {@code key=value} pairs, all of
 * which must match. A value matches a top-level metadata entry whose value's text
 * ({@code String.valueOf}) is equal to it, as in
 * {@code ConnectionDirectory#findByMetadata}. Connection ids change on every reconnect; a
 * selector such as {@code name=agent-1} keeps naming the same agent.
 *
 * <p>
 * The text form, also the gateway's path segment, is {@code key=value} pairs joined by
 * {@code ,}, each key and value percent-encoded where it contains {@code ,}, {@code =},
 * {@code /} or {@code %}: {@code region=eu-west,tier=gold}.
 */
public final class PeerSelector {

	private final Map<String, String> pairs;

	private PeerSelector(Map<String, String> pairs) {
		if (pairs.isEmpty()) {
			throw new IllegalArgumentException("A selector needs at least one key=value pair");
		}
		pairs.forEach((key, value) -> {
			if (key.isEmpty()) {
				throw new IllegalArgumentException("A selector's keys must not be empty");
			}
			Objects.requireNonNull(value, "value");
		});
		this.pairs = Collections.unmodifiableMap(new LinkedHashMap<>(pairs));
	}

	/**
	 * Return a selector of one pair.
	 * @param key the metadata key
	 * @param value the value's text
	 * @return the selector
	 */
	public static PeerSelector of(String key, String value) {
		return new PeerSelector(Map.of(key, value));
	}

	/**
	 * Return a selector of several pairs, all of which must match.
	 * @param pairs the metadata keys and the values' texts
	 * @return the selector
	 * @throws IllegalArgumentException if there is no pair or a key is empty
	 */
	public static PeerSelector of(Map<String, String> pairs) {
		return new PeerSelector(new LinkedHashMap<>(pairs));
	}

	/**
	 * Parse the text form, {@code key=value} pairs joined by {@code ,}, each part
	 * percent-decoded.
	 * @param text the text form
	 * @return the selector
	 * @throws IllegalArgumentException if a pair has no {@code =}, an empty key, a key
	 * twice, or a broken {@code %}-escape
	 */
	public static PeerSelector parse(String text) {
		Map<String, String> pairs = new LinkedHashMap<>();
		for (String pair : text.split(",", -1)) {
			int equals = pair.indexOf('=');
			if (equals <= 0) {
				throw new IllegalArgumentException("'" + text + "' is not a selector: each of its ','-separated parts"
						+ " must be key=value with a non-empty key");
			}
			String key = decode(text, pair.substring(0, equals));
			String value = decode(text, pair.substring(equals + 1));
			if (pairs.put(key, value) != null) {
				throw new IllegalArgumentException(
						"'" + text + "' is not a selector: key '" + key + "' is given twice");
			}
		}
		return new PeerSelector(pairs);
	}

	/**
	 * Whether a gateway path segment names a selector rather than a connection id
	 * (connection ids contain no {@code =}).
	 * @param segment the path segment
	 * @return whether it is a selector's text form
	 */
	public static boolean isSelector(String segment) {
		return segment.indexOf('=') >= 0;
	}

	/**
	 * Return the pairs, in the order given.
	 * @return the metadata keys and the values' texts
	 */
	public Map<String, String> pairs() {
		return this.pairs;
	}

	/**
	 * Whether a connection's metadata matches every pair.
	 * @param metadata the connection's metadata
	 * @return whether it matches
	 */
	public boolean matches(Map<String, ?> metadata) {
		for (Map.Entry<String, String> pair : this.pairs.entrySet()) {
			Object value = metadata.get(pair.getKey());
			if (!metadata.containsKey(pair.getKey()) || !pair.getValue().equals(String.valueOf(value))) {
				return false;
			}
		}
		return true;
	}

	private static String decode(String text, String part) {
		try {
			return UriUtils.decode(part, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			// Spring's message names neither the selector nor the part at fault
			throw new IllegalArgumentException("'" + text + "' is not a selector: '" + part + "' has a broken %-escape",
					ex);
		}
	}

	private static String encode(String part) {
		StringBuilder encoded = new StringBuilder(part.length());
		for (char c : part.toCharArray()) {
			switch (c) {
				case ',' -> encoded.append("%2C");
				case '=' -> encoded.append("%3D");
				case '/' -> encoded.append("%2F");
				case '%' -> encoded.append("%25");
				default -> encoded.append(c);
			}
		}
		return encoded.toString();
	}

	@Override
	public boolean equals(Object other) {
		return this == other || (other instanceof PeerSelector selector && this.pairs.equals(selector.pairs));
	}

	@Override
	public int hashCode() {
		return this.pairs.hashCode();
	}

	/**
	 * Return the text form, which {@link #parse(String)} reads back.
	 * @return the pairs as {@code key=value,...}
	 */
	@Override
	public String toString() {
		StringJoiner text = new StringJoiner(",");
		this.pairs.forEach((key, value) -> text.add(encode(key) + "=" + encode(value)));
		return text.toString();
	}

}
