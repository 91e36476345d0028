package io.swaggersocket.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.swaggersocket.http.SwaggerSocketWebClients;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.core.ParameterizedTypeReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spec file the build generates the hub's client from must describe what the agents
 * actually serve: compare it with the document springdoc publishes on an agent, fetched
 * by the hub over the agent's socket.
 */
@SuppressWarnings("unchecked")
class AgentApiSpecTests {

	private static final Path SPEC = Path.of("src/main/openapi/agent-api.yaml");

	@Test
	void specFileDescribesTheOperationsAndSchemasTheAgentsServe() throws IOException {
		Map<String, Object> published;
		try (RunningSample sample = RunningSample.start()) {
			published = sample.hub()
				.getBean(SwaggerSocketWebClients.class)
				.webClient(sample.agentConnection("agent-1"))
				.get()
				.uri("/v3/api-docs")
				.retrieve()
				.bodyToMono(new ParameterizedTypeReference<Map<String, Object>>() {
				})
				.block(Duration.ofSeconds(10));
		}
		Map<String, Object> spec;
		try (InputStream in = Files.newInputStream(SPEC)) {
			spec = new Yaml().load(in);
		}
		assertThat(operations(published)).as("operations the agent publishes, against those of " + SPEC)
			.isEqualTo(operations(spec));
		assertThat(schemas(published)).as("schemas the agent publishes, against those of " + SPEC)
			.isEqualTo(schemas(spec));
	}

	/** "GET /api/items/{id}" to "getItem (path:id)", and so on. */
	private static Map<String, String> operations(Map<String, Object> document) {
		Map<String, String> operations = new TreeMap<>();
		map(document, "paths").forEach((path, item) -> ((Map<String, Object>) item).forEach((method, operation) -> {
			Map<String, Object> op = (Map<String, Object>) operation;
			operations.put(method.toUpperCase() + " " + path, op.get("operationId") + " " + parameters(document, op));
		}));
		return operations;
	}

	private static String parameters(Map<String, Object> document, Map<String, Object> operation) {
		Iterable<Map<String, Object>> parameters = (Iterable<Map<String, Object>>) operation.getOrDefault("parameters",
				List.of());
		StringBuilder names = new StringBuilder("(");
		for (Map<String, Object> parameter : parameters) {
			Object ref = parameter.get("$ref");
			Map<String, Object> resolved = (ref != null)
					? map(map(map(document, "components"), "parameters"), ref.toString().replaceFirst(".*/", ""))
					: parameter;
			names.append(resolved.get("in")).append(':').append(resolved.get("name")).append(' ');
		}
		return names.toString().trim() + ")";
	}

	/** "NewItem" to {"name": "string/null required"}, and so on. */
	private static Map<String, Map<String, String>> schemas(Map<String, Object> document) {
		Map<String, Map<String, String>> schemas = new TreeMap<>();
		map(map(document, "components"), "schemas").forEach((name, schema) -> {
			List<String> required = (List<String>) ((Map<String, Object>) schema).getOrDefault("required", List.of());
			Map<String, String> properties = new TreeMap<>();
			map((Map<String, Object>) schema, "properties").forEach((property, definition) -> {
				Map<String, Object> d = (Map<String, Object>) definition;
				String type = d.containsKey("$ref") ? d.get("$ref").toString() : d.get("type") + "/" + d.get("format");
				properties.put(property, type + (required.contains(property) ? " required" : ""));
			});
			schemas.put(name, properties);
		});
		return schemas;
	}

	private static Map<String, Object> map(Map<String, Object> parent, String key) {
		return (Map<String, Object>) parent.getOrDefault(key, Map.of());
	}

}
