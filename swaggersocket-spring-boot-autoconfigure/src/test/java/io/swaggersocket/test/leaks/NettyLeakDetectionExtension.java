package io.swaggersocket.test.leaks;

import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a resource leak while it ran: after the class's
 * last test, it makes Netty's leak detector look at everything collected so far and
 * throws with the leak records if anything leaked. Registered for every test class
 * through JUnit's extension auto-detection ({@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in the build).
 * <p>
 * A leak is reported once the leaked object is garbage-collected; an object a later class
 * still held when this class ended is reported there, and the message says where it was
 * last accessed.
 */
public class NettyLeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

	@Override
	public void beforeAll(ExtensionContext context) {
		// normally done by the launcher session listener already; here for launchers
		// without it
		NettyLeakDetection.install();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		List<NettyLeakDetection.Leak> leaks = NettyLeakDetection.collect();
		if (!leaks.isEmpty()) {
			throw new AssertionError("While or after " + context.getRequiredTestClass().getName() + " ran: "
					+ NettyLeakDetection.describe(leaks));
		}
	}

}
