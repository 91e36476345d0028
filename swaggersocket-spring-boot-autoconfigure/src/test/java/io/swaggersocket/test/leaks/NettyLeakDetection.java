package io.swaggersocket.test.leaks;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import static org.awaitility.Awaitility.await;

/**
 * Collects every leak Netty's {@link ResourceLeakDetector} reports in this JVM, so that a
 * test can be failed for it instead of the leak scrolling past as an ERROR line.
 * <p>
 * {@link #install()} puts a recording detector factory in place before Netty creates its
 * detectors (the launcher session listener calls it before any test class is loaded), and
 * falls back to a leak listener on the buffer detector if Netty's buffer classes were
 * initialized first. {@link #collect()} makes the detector look: Netty only notices a
 * leak when a collected, unreleased object's reference is polled, which happens when it
 * tracks the next allocation, so a leak that nobody follows with an allocation would go
 * unseen. The level comes from {@code -Dio.netty.leakDetection.level} (the build sets
 * {@code paranoid}); without the property, {@code paranoid} is set here so that a test
 * run from an IDE checks the same way.
 */
public final class NettyLeakDetection {

	/** Marks the buffers {@link #collect()} leaks on purpose to know Netty has looked. */
	private static final String CANARY = "netty-leak-detection-canary-";

	private static final Queue<Leak> leaks = new ConcurrentLinkedQueue<>();

	private static final AtomicBoolean installed = new AtomicBoolean();

	private NettyLeakDetection() {
	}

	/**
	 * Records the leaks Netty reports from now on. Idempotent; the earlier the better.
	 */
	public static void install() {
		if (!installed.compareAndSet(false, true)) {
			return;
		}
		if (System.getProperty("io.netty.leakDetection.level") == null) {
			ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
		}
		ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
		if (!(bufferDetector() instanceof RecordingDetector)) {
			// Netty's buffer classes were initialized before install(): listen instead
			ByteBufUtil.setLeakListener((resourceType, records) -> leaks.add(new Leak(resourceType, records)));
		}
	}

	/**
	 * Whether leak detection is on at all; with
	 * {@code -Dio.netty.leakDetection.level=disabled} there is nothing to collect.
	 */
	public static boolean enabled() {
		return ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.DISABLED;
	}

	/**
	 * Makes Netty's detector process every object collected so far and returns the leaks
	 * reported since the last call, forgetting them.
	 * @return the leaks, empty if none was reported
	 */
	public static List<Leak> collect() {
		install();
		if (ResourceLeakDetector.getLevel().compareTo(ResourceLeakDetector.Level.ADVANCED) >= 0) {
			// Two rounds: the JDK's reference handler queues what a collection found as
			// one batch, and starts on the next batch only once that one is queued.
			// Seeing the second canary means that everything the first round found is
			// queued, and the probe that saw the canary has drained the queue.
			awaitCanary();
			awaitCanary();
		}
		else if (enabled()) {
			// without access records a canary cannot be told apart: one look, best effort
			System.gc();
			probe();
		}
		List<Leak> reported = new ArrayList<>();
		for (Leak leak = leaks.poll(); leak != null; leak = leaks.poll()) {
			if (!leak.records().contains(CANARY)) {
				reported.add(leak);
			}
		}
		return reported;
	}

	/**
	 * The leaks as one readable message: each leak's resource type and Netty's access
	 * records (the most recent access first).
	 * @param leaks the leaks
	 * @return the message
	 */
	public static String describe(List<Leak> leaks) {
		StringBuilder message = new StringBuilder();
		message.append(leaks.size()).append(" Netty resource leak(s) reported:");
		for (Leak leak : leaks) {
			message.append(System.lineSeparator())
				.append("LEAK: ")
				.append(leak.resourceType())
				.append(".release() was not called before it was garbage-collected.")
				.append(leak.records());
		}
		return message.toString();
	}

	private static void awaitCanary() {
		String hint = CANARY + UUID.randomUUID();
		leakCanary(hint);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
			System.gc();
			probe();
			return leaks.stream().anyMatch((leak) -> leak.records().contains(hint));
		});
	}

	// a separate frame, so that nothing on the caller's stack keeps the canary reachable
	private static void leakCanary(String hint) {
		Probes.allocator.directBuffer(1).touch(hint);
	}

	/** A tracked allocation: Netty polls its reference queue on every one. */
	private static void probe() {
		ByteBuf probe = Probes.allocator.directBuffer(1);
		probe.release();
	}

	private static ResourceLeakDetector<?> bufferDetector() {
		try {
			Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
			field.setAccessible(true);
			return (ResourceLeakDetector<?>) field.get(null);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Netty's buffer leak detector is not where it used to be", ex);
		}
	}

	/**
	 * An unpooled allocator keeps the canary and probe buffers out of the pools the code
	 * under test uses; its direct buffers (not its heap ones) are tracked by the same
	 * detector as all other buffers. A holder, so that no Netty buffer class is
	 * initialized before {@link #install()}.
	 */
	private static final class Probes {

		static final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);

	}

	/**
	 * A leak Netty reported.
	 *
	 * @param resourceType the simple name of the leaked object's type
	 * @param records Netty's access records, the most recent first; empty below the
	 * {@code advanced} level
	 */
	public record Leak(String resourceType, String records) {

	}

	private static final class RecordingFactory extends ResourceLeakDetectorFactory {

		@Override
		public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
				long maxActive) {
			return new RecordingDetector<>(resource, samplingInterval);
		}

	}

	private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

		RecordingDetector(Class<T> resource, int samplingInterval) {
			super(resource, samplingInterval);
		}

		@Override
		protected boolean needReport() {
			// the default asks whether the detector's logger logs ERROR: a test's logging
			// configuration must not switch leak detection off
			return true;
		}

		@Override
		protected void reportTracedLeak(String resourceType, String records) {
			leaks.add(new Leak(resourceType, records));
			if (!records.contains(CANARY)) {
				super.reportTracedLeak(resourceType, records);
			}
		}

		@Override
		protected void reportUntracedLeak(String resourceType) {
			leaks.add(new Leak(resourceType, ""));
			super.reportUntracedLeak(resourceType);
		}

	}

}
