package io.swaggersocket.routing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link PeerSelector}: its text form reads back whatever its keys and values hold, and
 * it matches metadata only when every pair does.
 */
class PeerSelectorTests {

	@Property
	void textFormReadsBackAnyKeysAndValues(@ForAll("pairs") Map<String, String> pairs) {
		PeerSelector selector = PeerSelector.of(pairs);
		PeerSelector read = PeerSelector.parse(selector.toString());
		assertThat(read).isEqualTo(selector);
		assertThat(read.pairs()).containsExactlyEntriesOf(pairs);
		assertThat(read.toString()).isEqualTo(selector.toString());
	}

	@Property
	void textFormIsASelectorSegmentWithOneSeparatorPerPair(@ForAll("pairs") Map<String, String> pairs) {
		String text = PeerSelector.of(pairs).toString();
		assertThat(PeerSelector.isSelector(text)).isTrue();
		assertThat(text).doesNotContain("/");
		assertThat(text.chars().filter((c) -> c == ',')).hasSize(pairs.size() - 1);
		assertThat(text.chars().filter((c) -> c == '=')).hasSize(pairs.size());
	}

	@Provide
	Arbitrary<Map<String, String>> pairs() {
		return Arbitraries.maps(text().filter((key) -> !key.isEmpty()), text()).ofMinSize(1).ofMaxSize(4);
	}

	/**
	 * Text that leans on what the text form must escape or keep: the separators, '%',
	 * '/', spaces, '+', and non-ASCII characters (a surrogate pair among them).
	 */
	private static Arbitrary<String> text() {
		Arbitrary<String> awkward = Arbitraries.of(",", "=", "/", "%", "%2C", "%25", " ", "+", "é", "日本", "€", "😀",
				"a", "Z", "0", "-", ".", "~", "?", "#", "&", ";");
		Arbitrary<String> anyCodePoint = Arbitraries.integers()
			.between(0, Character.MAX_CODE_POINT)
			.filter((codePoint) -> Character.isDefined(codePoint) && !Character.isSurrogate((char) (int) codePoint))
			.map(Character::toString);
		return Arbitraries.frequencyOf(Tuple.of(4, awkward), Tuple.of(1, anyCodePoint))
			.list()
			.ofMaxSize(8)
			.map((parts) -> String.join("", parts));
	}

	@Test
	void textFormOfPlainPairsIsReadable() {
		Map<String, String> pairs = new LinkedHashMap<>();
		pairs.put("region", "eu-west");
		pairs.put("tier", "gold");
		assertThat(PeerSelector.of(pairs)).hasToString("region=eu-west,tier=gold");
		assertThat(PeerSelector.parse("region=eu-west,tier=gold").pairs()).containsExactlyEntriesOf(pairs);
	}

	@Test
	void textFormEscapesSeparatorsAndPercent() {
		assertThat(PeerSelector.of("a,b=c", "x/y%z")).hasToString("a%2Cb%3Dc=x%2Fy%25z");
	}

	@Test
	void parseDecodesPercentEncodedUtf8() {
		assertThat(PeerSelector.parse("name=caf%C3%A9%20cr%C3%A8me").pairs())
			.containsExactly(Map.entry("name", "café crème"));
	}

	@Test
	void parseTakesAnEmptyValue() {
		assertThat(PeerSelector.parse("name=").pairs()).containsExactly(Map.entry("name", ""));
	}

	@Test
	void parseRejectsTextThatIsNotPairs() {
		for (String text : List.of("", "name", "=agent-1", "name=a,", ",name=a", "name=a,,tier=b")) {
			assertThatIllegalArgumentException().as(text)
				.isThrownBy(() -> PeerSelector.parse(text))
				.withMessageContaining("'" + text + "' is not a selector");
		}
	}

	@Test
	void parseRejectsAKeyGivenTwice() {
		assertThatIllegalArgumentException().isThrownBy(() -> PeerSelector.parse("name=a,name=b"))
			.withMessageContaining("key 'name' is given twice");
	}

	@Test
	void parseRejectsABrokenPercentEscapeNamingTheText() {
		for (String text : List.of("name=%", "name=%2", "name=%zz", "na%G1me=a")) {
			assertThatIllegalArgumentException().as(text)
				.isThrownBy(() -> PeerSelector.parse(text))
				.withMessageContaining("'" + text + "' is not a selector");
		}
	}

	@Test
	void ofRejectsNoPairsAndEmptyKeys() {
		assertThatIllegalArgumentException().isThrownBy(() -> PeerSelector.of(Map.of()));
		assertThatIllegalArgumentException().isThrownBy(() -> PeerSelector.of("", "a"));
	}

	@Test
	void connectionIdsAreNotSelectors() {
		assertThat(PeerSelector.isSelector("3f0c9a2e-7d41-4f0b-9c55-1f6f0e2b8a11")).isFalse();
		assertThat(PeerSelector.isSelector("name=agent-1")).isTrue();
	}

	@Test
	void matchesWhenEveryPairMatches() {
		PeerSelector selector = PeerSelector.parse("name=agent-1,region=eu-west");
		assertThat(selector.matches(Map.of("name", "agent-1", "region", "eu-west", "tier", "gold"))).isTrue();
		assertThat(selector.matches(Map.of("name", "agent-1", "region", "us-east"))).isFalse();
		assertThat(selector.matches(Map.of("name", "agent-2", "region", "eu-west"))).isFalse();
	}

	@Test
	void doesNotMatchWhenAKeyIsMissing() {
		assertThat(PeerSelector.of("region", "eu-west").matches(Map.of("name", "agent-1"))).isFalse();
		assertThat(PeerSelector.of("region", "eu-west").matches(Map.of())).isFalse();
		// not even when the selector asks for the text a missing value would have
		assertThat(PeerSelector.of("region", "null").matches(Map.of("name", "agent-1"))).isFalse();
	}

	@Test
	void comparesValuesAsTheirText() {
		Map<String, Object> metadata = new HashMap<>();
		metadata.put("port", 8080);
		metadata.put("primary", true);
		metadata.put("weight", 1.5);
		metadata.put("zone", null);
		assertThat(PeerSelector.of("port", "8080").matches(metadata)).isTrue();
		assertThat(PeerSelector.of("primary", "true").matches(metadata)).isTrue();
		assertThat(PeerSelector.of("weight", "1.5").matches(metadata)).isTrue();
		assertThat(PeerSelector.of("zone", "null").matches(metadata)).isTrue();
		assertThat(PeerSelector.of("port", "08080").matches(metadata)).isFalse();
		assertThat(PeerSelector.of("primary", "TRUE").matches(metadata)).isFalse();
	}

	@Test
	void equalSelectorsHaveEqualPairsInAnyOrder() {
		assertThat(PeerSelector.parse("a=1,b=2")).isEqualTo(PeerSelector.parse("b=2,a=1"))
			.hasSameHashCodeAs(PeerSelector.parse("b=2,a=1"));
		assertThat(PeerSelector.parse("a=1,b=2")).isNotEqualTo(PeerSelector.parse("a=1,b=3"));
	}

}
