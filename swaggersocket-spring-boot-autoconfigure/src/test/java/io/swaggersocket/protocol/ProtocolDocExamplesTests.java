package io.swaggersocket.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the byte dumps in {@code docs/PROTOCOL.md} true: every example there is encoded
 * with {@link FrameCodec} and must match byte for byte, and must decode back to the same
 * frame.
 *
 * <p>
 * An example in the document is an HTML comment {@code <!-- example: name -->} followed
 * by a fenced block; on each line of the block, the bytes come first (two hex digits
 * each, separated by single spaces) and anything after two or more spaces is commentary.
 */
class ProtocolDocExamplesTests {

	private static final List<String> VERIFIED_EXAMPLES = List.of("hello", "welcome", "ready", "request-headers",
			"response-headers", "data", "reset", "window-update", "goaway");

	private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([a-z0-9-]+) -->\\R```text\\R(.*?)```",
			Pattern.DOTALL);

	private static final Pattern BYTES = Pattern.compile("[0-9a-f]{2}( [0-9a-f]{2})*");

	private final FrameCodec codec = new FrameCodec(65536, 16384);

	private static Map<String, String> examples;

	@BeforeAll
	static void readExamples() throws IOException {
		String document = Files.readString(protocolDocument(), StandardCharsets.UTF_8);
		examples = new LinkedHashMap<>();
		Matcher matcher = EXAMPLE.matcher(document);
		while (matcher.find()) {
			String previous = examples.put(matcher.group(1), bytesOf(matcher.group(1), matcher.group(2)));
			assertThat(previous).as("duplicate example '%s'", matcher.group(1)).isNull();
		}
	}

	@Test
	void everyExampleInTheDocumentIsVerified() {
		assertThat(examples).containsOnlyKeys(VERIFIED_EXAMPLES);
	}

	@Test
	void helloExampleMatchesCodec() {
		assertExample("hello",
				new Frame.Hello("{\"metadata\":{\"agent\":\"a1\"},\"settings\":{\"maxFrameSize\":65536}}"));
	}

	@Test
	void welcomeExampleMatchesCodec() {
		assertExample("welcome", new Frame.Welcome("{\"connectionId\":\"c-7f3a\",\"settings\":{}}"));
	}

	@Test
	void readyExampleMatchesCodec() {
		assertExample("ready", new Frame.Ready());
	}

	@Test
	void requestHeadersExampleMatchesCodec() {
		assertExample("request-headers", new Frame.Headers(1, true, List.of(new Header(":method", "GET"),
				new Header(":path", "/pets?limit=1"), new Header("accept", "application/json"))));
	}

	@Test
	void responseHeadersExampleMatchesCodec() {
		assertExample("response-headers", new Frame.Headers(1, false,
				List.of(new Header(":status", "200"), new Header("content-type", "application/json"))));
	}

	@Test
	void dataExampleMatchesCodec() {
		assertExample("data",
				new Frame.Data(1, true, ByteBuffer.wrap("[{\"id\":7}]".getBytes(StandardCharsets.UTF_8))));
	}

	@Test
	void resetExampleMatchesCodec() {
		assertExample("reset", new Frame.Reset(3, ErrorCode.CANCEL));
	}

	@Test
	void windowUpdateExampleMatchesCodec() {
		assertExample("window-update", new Frame.WindowUpdate(0, 65536));
	}

	@Test
	void goAwayExampleMatchesCodec() {
		assertExample("goaway", new Frame.GoAway(5, ErrorCode.NO_ERROR, "shutdown"));
	}

	private void assertExample(String name, Frame frame) {
		assertThat(examples).as("example '%s' in PROTOCOL.md", name).containsKey(name);
		String documented = examples.get(name);
		ByteBuffer encoded = this.codec.encode(frame);
		byte[] bytes = new byte[encoded.remaining()];
		encoded.get(bytes);
		assertThat(HexFormat.of().formatHex(bytes)).as("bytes of example '%s'", name).isEqualTo(documented);
		assertThat(this.codec.decode(ByteBuffer.wrap(HexFormat.of().parseHex(documented)))).isEqualTo(frame);
	}

	private static String bytesOf(String name, String block) {
		StringBuilder hex = new StringBuilder();
		for (String line : block.split("\\R")) {
			String bytes = line.split("\\s{2,}", 2)[0].strip();
			assertThat(bytes).as("line '%s' of example '%s'", line, name).matches(BYTES);
			hex.append(bytes.replace(" ", ""));
		}
		return hex.toString();
	}

	private static Path protocolDocument() {
		Path directory = Path.of("").toAbsolutePath();
		while (directory != null) {
			Path candidate = directory.resolve("docs").resolve("PROTOCOL.md");
			if (Files.isRegularFile(candidate)) {
				return candidate;
			}
			directory = directory.getParent();
		}
		throw new IllegalStateException("docs/PROTOCOL.md not found above " + Path.of("").toAbsolutePath());
	}

}
