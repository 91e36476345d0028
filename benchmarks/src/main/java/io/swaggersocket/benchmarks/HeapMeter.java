package io.swaggersocket.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * Watches the heap during a measurement: the highest heap use seen by sampling every few
 * milliseconds (live objects and garbage not yet collected), and the highest heap use
 * right after a garbage collection (what the transfer really keeps alive), both relative
 * to the heap after a full collection at the start.
 */
final class HeapMeter implements AutoCloseable, NotificationListener {

	private static final Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans()
		.stream()
		.filter((pool) -> pool.getType() == MemoryType.HEAP)
		.map(MemoryPoolMXBean::getName)
		.collect(Collectors.toSet());

	private final long baseline;

	private final AtomicLong peakSampled = new AtomicLong();

	private final AtomicLong peakAfterGc = new AtomicLong();

	private final Thread sampler;

	private final List<NotificationEmitter> emitters = new ArrayList<>();

	private volatile boolean running = true;

	private HeapMeter(boolean metering) {
		if (!metering) {
			this.baseline = 0;
			this.sampler = new Thread(() -> {
			});
			return;
		}
		this.baseline = usedAfterFullGc();
		this.peakSampled.set(this.baseline);
		this.peakAfterGc.set(this.baseline);
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (gc instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(this, null, null);
				this.emitters.add(emitter);
			}
		}
		this.sampler = new Thread(this::sample, "heap-sampler");
		this.sampler.setDaemon(true);
		this.sampler.start();
	}

	/**
	 * Collect garbage, then start watching.
	 * @return the meter; close it to stop
	 */
	static HeapMeter start() {
		return new HeapMeter(true);
	}

	/**
	 * A meter that watches nothing and reports no growth.
	 * @return the meter
	 */
	static HeapMeter none() {
		return new HeapMeter(false);
	}

	/**
	 * Return the heap in use after a full collection, as steady as the JVM allows.
	 * @return bytes in use
	 */
	static long usedAfterFullGc() {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 3; i++) {
			System.gc();
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		}
		return used;
	}

	private void sample() {
		while (this.running) {
			long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			this.peakSampled.accumulateAndGet(used, Math::max);
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	@Override
	public void handleNotification(Notification notification, Object handback) {
		if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
			return;
		}
		GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
			.from((CompositeData) notification.getUserData());
		long used = 0;
		for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
			if (HEAP_POOLS.contains(pool.getKey())) {
				used += pool.getValue().getUsed();
			}
		}
		this.peakAfterGc.accumulateAndGet(used, Math::max);
	}

	/**
	 * Return the highest sampled heap use above the baseline.
	 * @return bytes
	 */
	long peakGrowth() {
		return Math.max(0, this.peakSampled.get() - this.baseline);
	}

	/**
	 * Return the highest heap use after a collection above the baseline (0 when no
	 * collection ran).
	 * @return bytes
	 */
	long peakLiveGrowth() {
		return Math.max(0, this.peakAfterGc.get() - this.baseline);
	}

	@Override
	public void close() {
		this.running = false;
		this.sampler.interrupt();
		for (NotificationEmitter emitter : this.emitters) {
			try {
				emitter.removeNotificationListener(this);
			}
			catch (ListenerNotFoundException ex) {
				// already gone
			}
		}
	}

}
