package io.swaggersocket.connection;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.swaggersocket.protocol.CloseCodes;
import io.swaggersocket.protocol.FrameCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the JSON payloads of HELLO and WELCOME. Uses a private,
 * default-configured mapper: the application's own mapper customizations must not change
 * the wire format.
 */
final class HandshakeJson {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private HandshakeJson() {
	}

	record Hello(Map<String, Object> metadata, ConnectionSettings settings) {
	}

	record Welcome(String connectionId, ConnectionSettings settings) {
	}

	static String hello(Map<String, Object> metadata, ConnectionSettings settings) {
		ObjectNode root = MAPPER.createObjectNode();
		root.set("metadata", MAPPER.valueToTree(metadata));
		root.set("settings", settings(settings));
		return MAPPER.writeValueAsString(root);
	}

	static String welcome(String connectionId, ConnectionSettings settings) {
		ObjectNode root = MAPPER.createObjectNode();
		root.put("connectionId", connectionId);
		root.set("settings", settings(settings));
		return MAPPER.writeValueAsString(root);
	}

	static Hello parseHello(String json) {
		JsonNode root = object(json, "HELLO");
		JsonNode metadata = root.path("metadata");
		if (!metadata.isMissingNode() && !metadata.isObject()) {
			throw violation("HELLO metadata must be a JSON object");
		}
		Map<String, Object> values = new LinkedHashMap<>();
		if (metadata.isObject()) {
			Iterator<Map.Entry<String, JsonNode>> fields = metadata.properties().iterator();
			while (fields.hasNext()) {
				Map.Entry<String, JsonNode> field = fields.next();
				values.put(field.getKey(), MAPPER.treeToValue(field.getValue(), Object.class));
			}
		}
		return new Hello(values, parseSettings(root.path("settings"), "HELLO"));
	}

	static Welcome parseWelcome(String json) {
		JsonNode root = object(json, "WELCOME");
		JsonNode id = root.path("connectionId");
		if (!id.isString() || id.asString().isEmpty()) {
			throw violation("WELCOME connectionId must be a non-empty string");
		}
		return new Welcome(id.asString(), parseSettings(root.path("settings"), "WELCOME"));
	}

	private static ObjectNode settings(ConnectionSettings settings) {
		ObjectNode node = MAPPER.createObjectNode();
		node.put("maxFrameSize", settings.maxFrameSize());
		node.put("maxHeaderBlockSize", settings.maxHeaderBlockSize());
		node.put("initialStreamWindow", settings.initialStreamWindow());
		node.put("connectionWindow", settings.connectionWindow());
		node.put("maxConcurrentStreams", settings.maxConcurrentStreams());
		if (settings.enableConnectProtocol()) {
			node.put("enableConnectProtocol", 1);
		}
		return node;
	}

	private static ConnectionSettings parseSettings(JsonNode node, String frame) {
		if (node.isMissingNode()) {
			return ConnectionSettings.DEFAULTS;
		}
		if (!node.isObject()) {
			throw violation(frame + " settings must be a JSON object");
		}
		ConnectionSettings defaults = ConnectionSettings.DEFAULTS;
		return new ConnectionSettings(
				setting(node, "maxFrameSize", defaults.maxFrameSize(), FrameCodec.MIN_MAX_FRAME_SIZE, frame),
				setting(node, "maxHeaderBlockSize", defaults.maxHeaderBlockSize(), 1024, frame),
				setting(node, "initialStreamWindow", defaults.initialStreamWindow(), 1, frame),
				setting(node, "connectionWindow", defaults.connectionWindow(), 1, frame),
				setting(node, "maxConcurrentStreams", defaults.maxConcurrentStreams(), 1, frame),
				setting(node, "enableConnectProtocol", 0, 0, 1, frame) == 1);
	}

	private static int setting(JsonNode settings, String name, int defaultValue, int min, String frame) {
		return setting(settings, name, defaultValue, min, Integer.MAX_VALUE, frame);
	}

	private static int setting(JsonNode settings, String name, int defaultValue, int min, int max, String frame) {
		JsonNode value = settings.path(name);
		if (value.isMissingNode()) {
			return defaultValue;
		}
		long integer = integralValue(value);
		if (integer < min || integer > max) {
			throw violation(frame + " setting " + name + " must be an integer from " + min + " to " + max);
		}
		return (int) integer;
	}

	/**
	 * The value of a number that is an integer, however it is written: {@code 16384.0}
	 * and {@code 1.6384e4} are 16384, since a peer's JSON parser (JavaScript's, for one)
	 * cannot tell them apart. Anything else is {@link Long#MIN_VALUE}, which no range
	 * admits.
	 */
	private static long integralValue(JsonNode value) {
		if (value.isIntegralNumber()) {
			return value.canConvertToLong() ? value.longValue() : Long.MIN_VALUE;
		}
		if (value.isFloatingPointNumber()) {
			double number = value.doubleValue();
			if (Double.isFinite(number) && number == Math.rint(number) && Math.abs(number) < 0x1p53) {
				return (long) number;
			}
		}
		return Long.MIN_VALUE;
	}

	private static JsonNode object(String json, String frame) {
		JsonNode root;
		try {
			root = MAPPER.readTree(json);
		}
		catch (JacksonException ex) {
			throw violation(frame + " payload is not valid JSON: " + ex.getOriginalMessage());
		}
		if (root == null || !root.isObject()) {
			throw violation(frame + " payload must be a JSON object");
		}
		return root;
	}

	private static HandshakeException violation(String message) {
		return new HandshakeException(CloseCodes.HANDSHAKE_VIOLATION, message);
	}

}
