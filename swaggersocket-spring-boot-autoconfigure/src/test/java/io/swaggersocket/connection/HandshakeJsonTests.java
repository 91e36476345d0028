package io.swaggersocket.connection;

import io.swaggersocket.protocol.CloseCodes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How HELLO and WELCOME settings are read (docs/PROTOCOL.md 5.4): what is missing takes
 * the default, and a setting is judged by its value, not by how it is written.
 */
class HandshakeJsonTests {

	@Test
	void missingSettingsObjectMeansAllDefaults() {
		assertThat(HandshakeJson.parseHello("{\"metadata\":{}}").settings()).isEqualTo(ConnectionSettings.DEFAULTS);
		assertThat(HandshakeJson.parseWelcome("{\"connectionId\":\"c\"}").settings())
			.isEqualTo(ConnectionSettings.DEFAULTS);
	}

	@Test
	void emptySettingsObjectMeansAllDefaults() {
		assertThat(HandshakeJson.parseHello("{\"settings\":{}}").settings()).isEqualTo(ConnectionSettings.DEFAULTS);
	}

	@Test
	void nullSettingsIsAViolation() {
		assertViolation("{\"settings\":null}");
	}

	@Test
	void integerWrittenWithAZeroFractionOrAnExponentIsThatInteger() {
		assertThat(HandshakeJson.parseHello("{\"settings\":{\"maxFrameSize\":16384.0}}").settings().maxFrameSize())
			.isEqualTo(16384);
		assertThat(HandshakeJson.parseHello("{\"settings\":{\"maxFrameSize\":1.6384e4}}").settings().maxFrameSize())
			.isEqualTo(16384);
		assertThat(HandshakeJson.parseHello("{\"settings\":{\"connectionWindow\":2147483647.0}}")
			.settings()
			.connectionWindow()).isEqualTo(Integer.MAX_VALUE);
	}

	@Test
	void fractionStringBooleanNullOrOutOfRangeIsAViolation() {
		assertViolation("{\"settings\":{\"maxFrameSize\":16384.5}}");
		assertViolation("{\"settings\":{\"maxFrameSize\":\"16384\"}}");
		assertViolation("{\"settings\":{\"maxFrameSize\":true}}");
		assertViolation("{\"settings\":{\"maxFrameSize\":null}}");
		assertViolation("{\"settings\":{\"maxFrameSize\":16383}}");
		assertViolation("{\"settings\":{\"connectionWindow\":2147483648}}");
		assertViolation("{\"settings\":{\"connectionWindow\":2147483648.0}}");
		assertViolation("{\"settings\":{\"connectionWindow\":1e400}}");
		assertViolation("{\"settings\":{\"connectionWindow\":-0.0}}");
	}

	private static void assertViolation(String hello) {
		assertThatExceptionOfType(HandshakeException.class).isThrownBy(() -> HandshakeJson.parseHello(hello))
			.satisfies((ex) -> assertThat(ex.getCloseCode()).isEqualTo(CloseCodes.HANDSHAKE_VIOLATION));
	}

}
