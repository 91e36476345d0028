package io.swaggersocket.connection;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

/**
 * The event loops a connection hands its peer's requests off to, and whose turn is next:
 * its own loop and the ones after it in its group, no more of them than there are
 * processors. A group larger than that (Reactor Netty runs at least four loops, whatever
 * the processor count) would only add sleeping loops to wake: on two processors, a
 * hand-off to any of four loops cost the agent of the echo benchmark 0.44 {@code eventfd}
 * wake-ups per request at concurrency 64, a hand-off to its own loop or one other 0.09
 * (docs/benchmarks.md).
 *
 * <p>
 * Used on the connection's event loop only, and made at its first hand-off: a connection
 * that never hands one off holds none.
 */
final class HandOffLoops {

	private final EventExecutor[] loops;

	private int next;

	/**
	 * Create the turns of one connection.
	 * @param own the connection's event loop
	 * @param processors how many processors the loops share
	 */
	HandOffLoops(EventLoop own, int processors) {
		this.loops = loops(own, processors);
	}

	/**
	 * Return the loop whose turn it is, and pass the turn on.
	 * @return the loop
	 */
	EventExecutor next() {
		EventExecutor loop = this.loops[this.next];
		this.next = (this.next + 1) % this.loops.length;
		return loop;
	}

	/**
	 * The loops a connection on the given loop hands off to.
	 * @param own the connection's event loop
	 * @param processors how many processors the loops share
	 * @return the loops, the connection's own first
	 */
	static EventExecutor[] loops(EventLoop own, int processors) {
		List<EventExecutor> all = new ArrayList<>();
		EventLoopGroup group = own.parent();
		if (group != null) {
			group.forEach(all::add);
		}
		int first = all.indexOf(own);
		if (first < 0) {
			// no group, or one that does not list the loop: the loop alone
			return new EventExecutor[] { own };
		}
		EventExecutor[] loops = new EventExecutor[Math.max(1, Math.min(processors, all.size()))];
		for (int i = 0; i < loops.length; i++) {
			loops[i] = all.get((first + i) % all.size());
		}
		return loops;
	}

}
