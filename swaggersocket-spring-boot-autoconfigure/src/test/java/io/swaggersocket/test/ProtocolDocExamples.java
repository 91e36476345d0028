package io.swaggersocket.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte dumps of {@code docs/PROTOCOL.md}. An example in the document is an HTML
 * comment {@code <!-- example: name -->} followed by a fenced block; on each line of the
 * block, the bytes come first (two hex digits each, separated by single spaces) and
 * anything after two or more spaces is commentary.
 */
public final class ProtocolDocExamples {

	private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([a-z0-9-]+) -->\\R```text\\R(.*?)```",
			Pattern.DOTALL);

	private static final Pattern BYTES = Pattern.compile("[0-9a-f]{2}( [0-9a-f]{2})*");

	private ProtocolDocExamples() {
	}

	/**
	 * Return every example of the document.
	 * @return the bytes of each example, in hex, by name, in document order
	 * @throws IOException if the document cannot be read
	 */
	public static Map<String, String> all() throws IOException {
		String document = Files.readString(protocolDocument(), StandardCharsets.UTF_8);
		Map<String, String> parsed = new LinkedHashMap<>();
		Matcher matcher = EXAMPLE.matcher(document);
		while (matcher.find()) {
			String previous = parsed.put(matcher.group(1), bytesOf(matcher.group(1), matcher.group(2)));
			assertThat(previous).as("duplicate example '%s'", matcher.group(1)).isNull();
		}
		return parsed;
	}

	/**
	 * Return the bytes of one example.
	 * @param name the example's name
	 * @return its bytes, in hex
	 * @throws IOException if the document cannot be read
	 */
	public static String hex(String name) throws IOException {
		String hex = all().get(name);
		assertThat(hex).as("example '%s' in PROTOCOL.md", name).isNotNull();
		return hex;
	}

	private static String bytesOf(String name, String block) {
		StringBuilder hex = new StringBuilder();
		for (String line : block.split("\\R")) {
			String bytes = line.split("\\s{2,}", 2)[0].strip();
			assertThat(bytes).as("line '%s' of example '%s'", line, name).matches(BYTES);
			hex.append(bytes.replace(" ", ""));
		}
		return hex.toString();
	}

	private static Path protocolDocument() {
		Path directory = Path.of("").toAbsolutePath();
		while (directory != null) {
			Path candidate = directory.resolve("docs").resolve("PROTOCOL.md");
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
			directory = directory.getParent();
		}
		throw new IllegalStateException("docs/PROTOCOL.md not found above " + Path.of("").toAbsolutePath());
	}

}
