package io.swaggersocket.test.leaks;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leak detection the whole build relies on, checked against a class that leaks a
 * pooled buffer on purpose. The leaking classes run in a nested JUnit engine (through
 * {@link EngineTestKit}) whose failure is asserted here, so the real build stays green.
 */
@DisabledIfSystemProperty(named = "io.netty.leakDetection.level", matches = "(?i)disabled",
		disabledReason = "leak detection switched off for this run")
class NettyLeakDetectionTests {

	private static final String SELF_TEST = "swaggersocket.netty-leak-detection.self-test";

	private static final String HINT = "leaked on purpose by NettyLeakDetectionTests";

	// Netty reports leaks with the same records once per JVM: each leak is made unique
	private static final AtomicInteger leaks = new AtomicInteger();

	@Test
	void buildRunsNettyLeakDetectionAtParanoid() {
		assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
	}

	@Test
	void failsTheClassThatLeaksAPooledBuffer() {
		TestExecutionResult result = run("junit-jupiter", LeaksAPooledBuffer.class);

		assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
		assertThat(result.getThrowable()).get(InstanceOfAssertFactories.THROWABLE)
			.isInstanceOf(AssertionError.class)
			.hasMessageContaining("1 Netty resource leak(s) reported")
			.hasMessageContaining("LEAK: ByteBuf.release() was not called");
	}

	@Test
	void reportsWhereTheLeakedBufferWasLastAccessed() {
		TestExecutionResult result = run("junit-jupiter", LeaksAPooledBuffer.class);

		assertThat(result.getThrowable()).get(InstanceOfAssertFactories.THROWABLE)
			.hasMessageContaining("While or after " + LeaksAPooledBuffer.class.getName() + " ran")
			.hasMessageContaining(HINT)
			.hasMessageContaining(LeaksAPooledBuffer.class.getName() + ".leaksABuffer(");
	}

	@Test
	void passesTheClassThatReleasesItsBuffers() {
		TestExecutionResult result = run("junit-jupiter", ReleasesItsBuffers.class);

		assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
	}

	@Test
	void failsThePropertyClassThatLeaksAPooledBuffer() {
		TestExecutionResult result = run("jqwik", LeakingProperties.class);

		assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
		assertThat(result.getThrowable()).get(InstanceOfAssertFactories.THROWABLE)
			.hasMessageContaining("While or after " + LeakingProperties.class.getName() + " ran")
			.hasMessageContaining(HINT);
	}

	/** Runs one class in a nested engine and returns how the class as a whole ended. */
	private static TestExecutionResult run(String engine, Class<?> testClass) {
		return EngineTestKit.engine(engine)
			.configurationParameter(SELF_TEST, "true")
			.selectors(DiscoverySelectors.selectClass(testClass))
			.execute()
			.containerEvents()
			.finished()
			.filter(EventConditions.container(testClass)::matches)
			.map((event) -> event.getRequiredPayload(TestExecutionResult.class))
			.findFirst()
			.orElseThrow();
	}

	/**
	 * Runs the classes below only in the nested engine of the tests above: anywhere else
	 * they would leak into the real build.
	 */
	static class OnlyAsSelfTest implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return context.getConfigurationParameter(SELF_TEST, Boolean::parseBoolean).orElse(false)
					? ConditionEvaluationResult.enabled("run by NettyLeakDetectionTests")
					: ConditionEvaluationResult.disabled("only run by NettyLeakDetectionTests");
		}

	}

	@ExtendWith({ OnlyAsSelfTest.class, NettyLeakDetectionExtension.class })
	static class LeaksAPooledBuffer {

		@Test
		void leaksABuffer() {
			ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64);
			buffer.writeLong(42).touch(HINT + " #" + leaks.incrementAndGet());
			// never released, and unreachable once this method returns
		}

	}

	/**
	 * jqwik's side: a property that leaks. jqwik has no execution condition that reads
	 * the engine's configuration, so the class only leaks when its tries are run
	 * explicitly, which the build never does: surefire runs no nested classes.
	 */
	static class LeakingProperties {

		@Property(tries = 1)
		void leaksABuffer(@ForAll int value) {
			PooledByteBufAllocator.DEFAULT.directBuffer(64)
				.writeInt(value)
				.touch(HINT + " #" + leaks.incrementAndGet());
		}

	}

	@ExtendWith({ OnlyAsSelfTest.class, NettyLeakDetectionExtension.class })
	static class ReleasesItsBuffers {

		@Test
		void releasesTheBuffersItAllocates() {
			ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64);
			ByteBuf adaptive = ByteBufAllocator.DEFAULT.buffer(64);
			pooled.writeLong(42);
			adaptive.writeBytes(pooled, 0, 8);
			assertThat(adaptive.readLong()).isEqualTo(42);
			pooled.release();
			adaptive.release();
		}

	}

}
