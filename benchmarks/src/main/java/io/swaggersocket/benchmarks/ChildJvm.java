package io.swaggersocket.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * The parent's handle on a {@link PeerProcess} in its own JVM: starts it with this JVM's
 * class path, waits for its {@code READY} line, and asks it for its CPU time and heap
 * over its standard input and output (one command, one answer line). Its standard error
 * (logs and progress) goes to this process's standard error.
 */
final class ChildJvm implements AutoCloseable {

	/**
	 * System properties handed on to every child, so that one {@code -D} sets both ends.
	 */
	private static final List<String> INHERITED_PREFIXES = List.of("swaggersocket.", "spring.", "reactor.", "io.netty.",
			"logging.", "server.");

	/** The first words of the lines {@link PeerProcess} answers with. */
	private static final Set<String> ANSWERS = Set.of("READY", "CPU", "OK", "HEAP", "DIALED", "CHURNED", "LOOKUPS",
			"LINKS", "ERROR");

	private static final String END = "\u0000end";

	private final String name;

	private final Process process;

	/** The child's answers, read by a thread of their own; {@link #END} once it ends. */
	private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

	private final PrintWriter commands;

	private final Map<String, String> ready = new LinkedHashMap<>();

	private ChildJvm(String name, Process process) {
		this.name = name;
		this.process = process;
		Thread reader = new Thread(() -> readAnswers(process), name + "-answers");
		reader.setDaemon(true);
		reader.start();
		this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
	}

	/**
	 * Start a child and wait until it is ready.
	 * @param name shown in progress and errors
	 * @param jvmOptions options for the child's JVM, e.g. {@code -Xmx2g}
	 * @param arguments the role and its arguments, see {@link PeerProcess}
	 * @param timeout how long it may take to start
	 * @return the ready child
	 */
	static ChildJvm start(String name, List<String> jvmOptions, List<String> arguments, Duration timeout) {
		ChildJvm child = launch(name, jvmOptions, arguments);
		child.awaitReady(timeout);
		return child;
	}

	/**
	 * Start a child without waiting for it: several start in parallel that way.
	 * @param name shown in progress and errors
	 * @param jvmOptions options for the child's JVM, e.g. {@code -Xmx2g}
	 * @param arguments the role and its arguments, see {@link PeerProcess}
	 * @return the starting child; call {@link #awaitReady(Duration)} before using it
	 */
	static ChildJvm launch(String name, List<String> jvmOptions, List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		System.getProperties()
			.stringPropertyNames()
			.stream()
			.sorted()
			.filter((key) -> INHERITED_PREFIXES.stream().anyMatch(key::startsWith))
			.forEach((key) -> command.add("-D" + key + "=" + System.getProperty(key)));
		command.addAll(launcher());
		command.add(PeerProcess.ARGUMENT);
		command.addAll(arguments);
		try {
			return new ChildJvm(name,
					new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + name + ": " + command, ex);
		}
	}

	/**
	 * Wait for the child's {@code READY} line (once).
	 * @param timeout how long it may take
	 */
	synchronized void awaitReady(Duration timeout) {
		if (!this.ready.isEmpty()) {
			return;
		}
		try {
			String line = readLine(timeout);
			if (!line.startsWith("READY")) {
				throw new IllegalStateException(this.name + " answered '" + line + "' instead of READY");
			}
			Arrays.stream(line.substring(5).trim().split(" "))
				.filter((pair) -> pair.contains("="))
				.forEach((pair) -> this.ready.put(pair.substring(0, pair.indexOf('=')),
						pair.substring(pair.indexOf('=') + 1)));
		}
		catch (RuntimeException ex) {
			this.process.destroyForcibly();
			throw ex;
		}
	}

	/**
	 * How to run this JVM's code: from the Spring Boot executable jar it was started
	 * from, or from its class path (tests, IDE).
	 */
	private static List<String> launcher() {
		String classPath = System.getProperty("java.class.path");
		if (!classPath.contains(java.io.File.pathSeparator) && classPath.endsWith(".jar")
				&& Files.isRegularFile(Path.of(classPath)) && isExecutableJar(classPath)) {
			return List.of("-jar", classPath);
		}
		return List.of("-cp", classPath, Benchmarks.class.getName());
	}

	private static boolean isExecutableJar(String jar) {
		try (JarFile file = new JarFile(jar)) {
			return file.getEntry("BOOT-INF/") != null;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Return a value the child announced in its {@code READY} line.
	 * @param key the key, e.g. {@code http}
	 * @return the value as a number
	 */
	int port(String key) {
		String value = this.ready.get(key);
		if (value == null) {
			throw new IllegalStateException(this.name + " announced no " + key + ": " + this.ready);
		}
		return Integer.parseInt(value);
	}

	/**
	 * Return a value the child announced in its {@code READY} line.
	 * @param key the key, e.g. {@code connection}
	 * @return the value
	 */
	String value(String key) {
		String value = this.ready.get(key);
		if (value == null) {
			throw new IllegalStateException(this.name + " announced no " + key + ": " + this.ready);
		}
		return value;
	}

	/**
	 * Return the CPU time the child's process used so far.
	 * @return nanoseconds
	 */
	long cpuNanos() {
		return cpuAndCompileTime()[0];
	}

	/**
	 * Return the time the child's JIT compilers spent so far.
	 * @return milliseconds
	 */
	long compileMillis() {
		return cpuAndCompileTime()[1];
	}

	/**
	 * Return the CPU time the child's process used so far, and the time its JIT compilers
	 * spent.
	 * @return nanoseconds of CPU, milliseconds of compilation
	 */
	long[] cpuAndCompileTime() {
		String[] answer = call("cpu", "CPU", Duration.ofSeconds(30));
		return new long[] { Long.parseLong(answer[1]), (answer.length > 2) ? Long.parseLong(answer[2]) : 0 };
	}

	/** Collect garbage in the child and start watching its heap. */
	void heapStart() {
		call("heap-start", "OK", Duration.ofSeconds(60));
	}

	/**
	 * Stop watching the child's heap.
	 * @return peak growth and peak live growth, in bytes
	 */
	long[] heapStop() {
		String[] answer = call("heap-stop", "HEAP", Duration.ofSeconds(30));
		return new long[] { Long.parseLong(answer[1]), Long.parseLong(answer[2]) };
	}

	/**
	 * Send a command and wait for its answer.
	 * @param command the command line
	 * @param expected the first word of the answer
	 * @param timeout how long it may take
	 * @return the answer's words
	 */
	synchronized String[] call(String command, String expected, Duration timeout) {
		this.commands.println(command);
		String line = readLine(timeout);
		String[] words = line.split(" ");
		if (!words[0].equals(expected)) {
			throw new IllegalStateException(this.name + " answered '" + line + "' to '" + command + "'");
		}
		return words;
	}

	/**
	 * Queue the child's protocol lines; anything else on its standard output (a JVM
	 * warning, say) goes to standard error instead of confusing the protocol.
	 */
	private void readAnswers(Process process) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				String word = line.split(" ", 2)[0];
				if (ANSWERS.contains(word)) {
					this.answers.add(line);
				}
				else {
					System.err.println(this.name + ": " + line);
				}
			}
		}
		catch (IOException ex) {
			System.err.println(this.name + ": cannot read its output: " + ex);
		}
		finally {
			this.answers.add(END);
		}
	}

	private String readLine(Duration timeout) {
		try {
			String answer = this.answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (answer == null) {
				throw new IllegalStateException(this.name + " did not answer within " + timeout);
			}
			if (END.equals(answer)) {
				// later calls see the end too
				this.answers.add(END);
				throw new IllegalStateException(this.name + " ended (exit code "
						+ (this.process.isAlive() ? "none yet" : this.process.exitValue()) + ")");
			}
			return answer;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Ask the child to exit without waiting for it: several stop in parallel that way.
	 */
	void requestExit() {
		if (this.process.isAlive()) {
			this.commands.println("exit");
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.commands.println("exit");
			try {
				if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
		}
	}

	@Override
	public String toString() {
		return this.name + " (pid " + this.process.pid() + ")";
	}

}
