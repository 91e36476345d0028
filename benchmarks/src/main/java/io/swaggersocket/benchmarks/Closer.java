package io.swaggersocket.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run started, closed at the very end in the reverse order: children before
 * the hubs they dial, so that no agent redials a hub that stops before it. Nothing is
 * closed earlier because the Spring applications share Reactor Netty's global resources,
 * and closing one would break the others' connections.
 */
final class Closer implements AutoCloseable {

	private final List<AutoCloseable> resources = new ArrayList<>();

	/**
	 * Register something to close at the end.
	 * @param resource the resource
	 */
	synchronized void add(AutoCloseable resource) {
		this.resources.add(resource);
	}

	@Override
	public synchronized void close() {
		// the children stop in parallel, each takes a moment
		for (AutoCloseable resource : this.resources) {
			if (resource instanceof ChildJvm child) {
				child.requestExit();
			}
		}
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			try {
				this.resources.get(i).close();
			}
			catch (Exception ex) {
				// closing at the end: nothing depends on it any more
				Benchmarks.progress("Closing: " + ex);
			}
		}
		this.resources.clear();
	}

}
