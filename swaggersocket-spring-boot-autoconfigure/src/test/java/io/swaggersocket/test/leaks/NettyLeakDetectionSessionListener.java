package io.swaggersocket.test.leaks;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs {@link NettyLeakDetection} when the JUnit launcher session opens, before any
 * engine discovers or runs a test class, so that Netty creates its leak detectors from
 * the recording factory. Registered in {@code META-INF/services}.
 */
public class NettyLeakDetectionSessionListener implements LauncherSessionListener {

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		NettyLeakDetection.install();
	}

}
