package io.swaggersocket.test.leaks;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;

import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * What {@link NettyLeakDetectionExtension} does for JUnit Jupiter, for jqwik's property
 * classes: fails the class when Netty reported a leak while it ran. Registered globally
 * in {@code META-INF/services}.
 */
public class NettyLeakDetectionHook implements AfterContainerHook {

	@Override
	public PropagationMode propagateTo() {
		// registered for the engine, applied to the classes below it
		return PropagationMode.ALL_DESCENDANTS;
	}

	@Override
	public boolean appliesTo(Optional<AnnotatedElement> element) {
		return element.filter(Class.class::isInstance).isPresent();
	}

	@Override
	public void afterContainer(ContainerLifecycleContext context) {
		NettyLeakDetection.install();
		List<NettyLeakDetection.Leak> leaks = NettyLeakDetection.collect();
		if (!leaks.isEmpty()) {
			String name = context.optionalContainerClass().map(Class::getName).orElse(context.label());
			throw new AssertionError("While or after " + name + " ran: " + NettyLeakDetection.describe(leaks));
		}
	}

}
