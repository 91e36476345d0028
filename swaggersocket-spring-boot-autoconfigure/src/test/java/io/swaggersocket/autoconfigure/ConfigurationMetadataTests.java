package io.swaggersocket.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the generated configuration metadata (what IDEs show) and the README's
 * configuration table (what people read) in step.
 */
class ConfigurationMetadataTests {

	private static final String METADATA = "META-INF/spring-configuration-metadata.json";

	/** Where surefire runs: the module directory, next to the repository's README. */
	private static final Path README = Path.of("..", "README.md");

	private static final Pattern README_ROW = Pattern
		.compile("^\\|\\s*`(swaggersocket\\.[^`]+)`\\s*\\|\\s*([^|]*?)\\s*\\|.*\\|\\s*$");

	private static final String NO_DEFAULT = "—";

	private static final Pattern LIST_OF_OBJECTS = Pattern
		.compile("^java\\.util\\.List<(io\\.swaggersocket\\.[^>]+)>$");

	private static Map<String, MetadataProperty> metadata;

	private static Map<String, String> readme;

	@BeforeAll
	static void load() throws IOException {
		metadata = metadataProperties();
		readme = readmeRows();
	}

	@Test
	void metadataDescribesSwaggerSocketProperties() {
		assertThat(metadata).containsKeys("swaggersocket.server.path", "swaggersocket.client.url",
				"swaggersocket.heartbeat.interval", "swaggersocket.limits.max-frame-size",
				"swaggersocket.client.routes[n].path", "swaggersocket.client.routes[n].strip-prefix");
	}

	@Test
	void everyPropertyHasDescription() {
		assertThat(metadata.values()).allSatisfy(
				(property) -> assertThat(property.description()).as("description of %s", property.name()).isNotBlank());
	}

	@Test
	void everyPropertyIsInReadmeTable() {
		assertThat(readme.keySet()).containsAll(metadata.values().stream().map(MetadataProperty::readmeName).toList());
	}

	@Test
	void everyReadmeRowNamesExistingProperty() {
		assertThat(metadata.values().stream().map(MetadataProperty::readmeName).toList()).containsAll(readme.keySet());
	}

	@Test
	void readmeDefaultsMatchMetadataDefaults() {
		List<MetadataProperty> documented = metadata.values()
			.stream()
			.filter((property) -> readme.containsKey(property.readmeName()))
			.toList();
		assertThat(documented)
			.allSatisfy((property) -> assertThat(normalize(property.type(), readme.get(property.readmeName())))
				.as("README default of %s", property.readmeName())
				.isEqualTo(normalize(property.type(), property.defaultValue())));
	}

	/**
	 * Merges every metadata file on the class path, keeping this project's properties.
	 */
	private static Map<String, MetadataProperty> metadataProperties() throws IOException {
		JsonMapper mapper = JsonMapper.builder().build();
		Map<String, MetadataProperty> properties = new LinkedHashMap<>();
		for (URL url : Collections.list(ConfigurationMetadataTests.class.getClassLoader().getResources(METADATA))) {
			try (InputStream in = url.openStream()) {
				for (JsonNode node : mapper.readTree(in).path("properties").values()) {
					String name = node.path("name").asString();
					if (name.startsWith("swaggersocket.")) {
						properties.put(name, new MetadataProperty(name, node.path("type").asString(),
								node.path("description").asString(""), defaultValue(node.path("defaultValue"))));
					}
				}
			}
		}
		return withListElements(properties);
	}

	/**
	 * The configuration processor describes a list of objects
	 * ({@code swaggersocket.client.routes}) as one property; it is documented by its
	 * elements' properties ({@code swaggersocket.client.routes[n].path}), read from the
	 * element class, with their defaults from a new element.
	 */
	private static Map<String, MetadataProperty> withListElements(Map<String, MetadataProperty> properties) {
		Map<String, MetadataProperty> expanded = new LinkedHashMap<>();
		for (MetadataProperty property : properties.values()) {
			Matcher list = LIST_OF_OBJECTS.matcher(property.type());
			if (!list.matches()) {
				expanded.put(property.name(), property);
				continue;
			}
			BeanWrapper element = new BeanWrapperImpl(BeanUtils.instantiateClass(
					ClassUtils.resolveClassName(list.group(1), ConfigurationMetadataTests.class.getClassLoader())));
			for (PropertyDescriptor descriptor : element.getPropertyDescriptors()) {
				if (descriptor.getWriteMethod() == null) {
					continue;
				}
				String name = property.name() + "[n]."
						+ descriptor.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
				Object value = element.getPropertyValue(descriptor.getName());
				expanded.put(name,
						new MetadataProperty(name,
								ClassUtils.resolvePrimitiveIfNecessary(descriptor.getPropertyType()).getName(),
								property.description(), (value != null) ? value.toString() : null));
			}
		}
		return expanded;
	}

	/**
	 * A default as text; a list default is an array, or a plain value when it has one
	 * element.
	 */
	private static @Nullable String defaultValue(JsonNode value) {
		if (value.isMissingNode() || value.isNull()) {
			return null;
		}
		if (value.isArray()) {
			return value.values().stream().map(JsonNode::asString).collect(Collectors.joining(","));
		}
		return value.asString();
	}

	/**
	 * The rows of the README's configuration table: property name to documented default.
	 */
	private static Map<String, String> readmeRows() throws IOException {
		List<String> lines = Files.readAllLines(README);
		Map<String, String> rows = new LinkedHashMap<>();
		int start = lines.indexOf("## Configuration");
		assertThat(start).as("'## Configuration' section of %s", README.toAbsolutePath()).isNotNegative();
		for (String line : lines.subList(start + 1, lines.size())) {
			if (line.startsWith("## ")) {
				break;
			}
			Matcher row = README_ROW.matcher(line);
			if (row.matches()) {
				String previous = rows.put(row.group(1), row.group(2).replace("`", "").trim());
				assertThat(previous).as("second README row for %s", row.group(1)).isNull();
			}
		}
		return rows;
	}

	/**
	 * Brings equal defaults to one form, so that {@code 1MB} and {@code 1024KB} match.
	 */
	private static @Nullable Object normalize(String type, @Nullable String value) {
		if (value == null || value.isEmpty() || value.equals(NO_DEFAULT)) {
			return null;
		}
		if (type.equals(DataSize.class.getName())) {
			return DataSize.parse(value);
		}
		if (type.equals(Duration.class.getName())) {
			return DurationStyle.detectAndParse(value);
		}
		if (type.equals(Double.class.getName()) || type.equals(Float.class.getName())) {
			return Double.valueOf(value);
		}
		if (type.startsWith(List.class.getName())) {
			return List.of(value.split("\\s*,\\s*"));
		}
		return value;
	}

	private record MetadataProperty(String name, String type, String description, @Nullable String defaultValue) {

		/**
		 * Map properties are documented by their entries:
		 * {@code swaggersocket.client.metadata.*}.
		 */
		String readmeName() {
			return this.type.startsWith(Map.class.getName()) ? this.name + ".*" : this.name;
		}

	}

}
