package io.swaggersocket.protocol;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Close reasons are cut to the 123 bytes of UTF-8 RFC 6455 allows, at a character
 * boundary.
 */
class CloseCodesTests {

	@Test
	void keepsAReasonThatFits() {
		String reason = "x".repeat(123);
		assertThat(CloseCodes.truncateReason(reason)).isSameAs(reason);
		assertThat(CloseCodes.truncateReason("é".repeat(61))).isEqualTo("é".repeat(61));
	}

	@Test
	void cutsAsciiAt123Bytes() {
		assertThat(CloseCodes.truncateReason("x".repeat(200))).isEqualTo("x".repeat(123));
	}

	@Test
	void countsBytesNotCharacters() {
		// 100 characters of 2 bytes each: 200 bytes, of which 61 characters (122 bytes)
		// fit
		String truncated = CloseCodes.truncateReason("é".repeat(100));
		assertThat(truncated).isEqualTo("é".repeat(61));
		assertThat(truncated.getBytes(StandardCharsets.UTF_8)).hasSize(122);
	}

	@Test
	void neverSplitsAThreeByteCharacter() {
		String truncated = CloseCodes.truncateReason("a" + "€".repeat(60));
		assertThat(truncated).isEqualTo("a" + "€".repeat(40));
		assertThat(truncated.getBytes(StandardCharsets.UTF_8)).hasSize(121);
	}

	@Test
	void neverSplitsASurrogatePair() {
		// each emoji is a surrogate pair, 4 bytes of UTF-8: 30 fit (120 bytes), with "ab"
		// 122
		String truncated = CloseCodes.truncateReason("ab" + "\uD83D\uDE00".repeat(40));
		assertThat(truncated).isEqualTo("ab" + "\uD83D\uDE00".repeat(30));
		assertThat(truncated.getBytes(StandardCharsets.UTF_8)).hasSize(122);
		assertThat(Character.isHighSurrogate(truncated.charAt(truncated.length() - 1))).isFalse();
	}

	@Test
	void everyCutFitsAndIsAPrefix() {
		String reason = "Payload: ü€\uD83D\uDE00x".repeat(20);
		for (int length = 0; length <= reason.length(); length++) {
			String input = reason.substring(0, length);
			String truncated = CloseCodes.truncateReason(input);
			assertThat(input).startsWith(truncated);
			assertThat(truncated.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
		}
	}

}
