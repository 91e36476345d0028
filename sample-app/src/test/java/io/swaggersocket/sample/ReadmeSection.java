package io.swaggersocket.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One {@code ## } section of the README, for the tests that run what it prints: the
 * {@code $ } command lines of its fenced blocks, and its indented (four-space) code
 * lines.
 */
final class ReadmeSection {

	private static final Path README = Path.of("..", "README.md");

	private final String text;

	private ReadmeSection(String text) {
		this.text = text;
	}

	/**
	 * Read the section under the given heading, or skip the test (an assumption) if the
	 * README or the section is missing.
	 * @param heading the heading line, {@code ## } included
	 * @return the section, up to the next {@code ## } heading
	 */
	static ReadmeSection read(String heading) throws IOException {
		assumeTrue(Files.isRegularFile(README), "Skipped: no README.md next to sample-app");
		String readme = Files.readString(README);
		int start = readme.indexOf(heading);
		assumeTrue(start >= 0, "Skipped: README.md has no '" + heading + "' section yet");
		int end = readme.indexOf("\n## ", start + heading.length());
		return new ReadmeSection(readme.substring(start, (end < 0) ? readme.length() : end));
	}

	/** The {@code $ } lines of the fenced blocks, without the prompt. */
	List<String> commands() {
		List<String> commands = new ArrayList<>();
		boolean fenced = false;
		for (String line : this.text.split("\n")) {
			if (line.startsWith("```")) {
				fenced = !fenced;
			}
			else if (fenced && line.startsWith("$ ")) {
				commands.add(line.substring(2).trim());
			}
		}
		return commands;
	}

	/** The lines of the indented code blocks, outside fenced blocks, unindented. */
	List<String> indentedLines() {
		List<String> lines = new ArrayList<>();
		boolean fenced = false;
		for (String line : this.text.split("\n")) {
			if (line.startsWith("```")) {
				fenced = !fenced;
			}
			else if (!fenced && line.startsWith("    ") && !line.isBlank()) {
				lines.add(line.substring(4).trim());
			}
		}
		return lines;
	}

	/**
	 * Run the commands in one bash shell, so that a variable one of them sets is there
	 * for the next, and return what each printed. A command that only sets a variable
	 * "prints" its value.
	 * @param commands the commands, as printed
	 * @param replacements text to replace in each command before it runs (a printed
	 * {@code localhost:8080} by the address of a hub on a free port)
	 * @return what each command printed, stripped
	 */
	static List<String> runInOneShell(List<String> commands, Map<String, String> replacements) throws Exception {
		StringBuilder script = new StringBuilder();
		Pattern assignment = Pattern.compile("^([A-Z_]+)=\\$\\(.*\\)$");
		for (int i = 0; i < commands.size(); i++) {
			String command = commands.get(i);
			for (Map.Entry<String, String> replacement : replacements.entrySet()) {
				command = command.replace(replacement.getKey(), replacement.getValue());
			}
			script.append("printf '\\n@@step ").append(i).append("\\n'\n").append(command).append('\n');
			Matcher variable = assignment.matcher(command);
			if (variable.matches()) {
				script.append("printf '%s' \"$").append(variable.group(1)).append("\"\n");
			}
		}
		Process bash = new ProcessBuilder("bash", "-c", script.toString()).redirectErrorStream(true).start();
		bash.getOutputStream().close();
		byte[] output = bash.getInputStream().readAllBytes();
		assertThat(bash.waitFor(60, TimeUnit.SECONDS)).as("the commands finished").isTrue();
		String[] parts = new String(output, StandardCharsets.UTF_8).split("\n@@step \\d+\n", -1);
		assertThat(parts).as("one output per command").hasSize(commands.size() + 1);
		List<String> outputs = new ArrayList<>();
		for (int i = 1; i < parts.length; i++) {
			outputs.add(parts[i].replace("\r\n", "\n").strip());
		}
		return outputs;
	}

	static boolean onPath(String program) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, program))) {
				return true;
			}
		}
		return false;
	}

}
