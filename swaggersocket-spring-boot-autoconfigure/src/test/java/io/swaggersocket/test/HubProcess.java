package io.swaggersocket.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A hub in a JVM of its own, to be killed the way an operator's {@code kill -9} or the
 * kernel's OOM killer does: {@link #kill()} sends SIGKILL, so the hub neither withdraws
 * its entries nor closes its sockets in order. It runs the same test application as
 * {@link TestApplications}, with this JVM's class path, and ends by itself when its
 * parent goes away (its standard input closes).
 */
public final class HubProcess implements AutoCloseable {

	private static final String PORT_LINE = "HUB-PORT=";

	private final Process process;

	private final int port;

	private HubProcess(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/**
	 * Start a hub and wait until it serves.
	 * @param properties the hub's properties, as {@code key=value}
	 * @return the running hub
	 */
	public static HubProcess start(String... properties) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(HubProcess.class.getName());
		command.addAll(List.of(properties));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> readPort(process));
		try {
			return new HubProcess(process, port.get(60, TimeUnit.SECONDS));
		}
		catch (InterruptedException | ExecutionException | TimeoutException ex) {
			process.destroyForcibly();
			throw new IllegalStateException("The hub process did not start", ex);
		}
	}

	private static int readPort(Process process) {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		try {
			String line;
			while ((line = reader.readLine()) != null) {
				if (line.startsWith(PORT_LINE)) {
					int port = Integer.parseInt(line.substring(PORT_LINE.length()).trim());
					// keep draining its standard output, so that it never blocks on it
					Thread drain = new Thread(() -> reader.lines().forEach((ignored) -> {
					}), "hub-process-stdout");
					drain.setDaemon(true);
					drain.start();
					return port;
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		throw new IllegalStateException("The hub process ended before it served");
	}

	public int port() {
		return this.port;
	}

	/** Kill the hub with SIGKILL and wait until it is gone. */
	public void kill() {
		this.process.destroyForcibly();
		try {
			if (!this.process.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("The hub process survived SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		if (this.process.isAlive()) {
			kill();
		}
	}

	/**
	 * The hub's side: start the test application with the given properties, print its
	 * port, and exit when the parent closes standard input.
	 * @param args the properties, as {@code key=value}
	 * @throws IOException if standard input fails
	 */
	public static void main(String[] args) throws IOException {
		List<String> all = new ArrayList<>();
		all.add("server.port=0");
		all.add("server.address=127.0.0.1");
		all.add("spring.main.banner-mode=off");
		all.add("spring.autoconfigure.exclude=" + String.join(",", TestApplications.SECURITY_AUTO_CONFIGURATIONS));
		all.addAll(List.of(args));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(TestApplications.TestApp.class)
			.web(WebApplicationType.REACTIVE)
			.properties(all.toArray(String[]::new))
			.run();
		System.out.println(PORT_LINE + TestApplications.port(context));
		System.out.flush();
		while (System.in.read() >= 0) {
			// the parent never writes; end of input means it is gone
		}
		SpringApplication.exit(context);
		System.exit(0);
	}

}
