package io.swaggersocket.protocol;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Header}'s pseudo-header rules.
 */
class HeaderTests {

	@Test
	void responseWithOneValidStatusFirstIsWellFormed() {
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header("a", "b")))).isTrue();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "599")))).isTrue();
	}

	@Test
	void responseWithMalformedPseudoHeadersIsNotWellFormed() {
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "100")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "600")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "2000")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header("a", "b")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header(":status", "200"))))
			.isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header("a", "b"), new Header(":status", "200")))).isFalse();
		assertThat(Header.isWellFormedResponse(List.of(new Header(":status", "200"), new Header(":path", "/"))))
			.isFalse();
	}

}
