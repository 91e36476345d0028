package io.swaggersocket.protocol;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * One header field of a HEADERS frame. Names starting with {@code ':'} are pseudo-headers
 * ({@code :method}, {@code :path}, {@code :status}).
 *
 * @param name the field name (case-insensitive; senders use lower case)
 * @param value the field value
 */
public record Header(String name, String value) {

	/** Pseudo-header of a request: the method. */
	public static final String METHOD = ":method";

	/** Pseudo-header of a request: path and query. */
	public static final String PATH = ":path";

	/** Pseudo-header of a response: the status code. */
	public static final String STATUS = ":status";

	/**
	 * The pseudo-header field naming the protocol of an extended CONNECT
	 * (docs/PROTOCOL.md 13).
	 */
	public static final String PROTOCOL = ":protocol";

	/** The pseudo-header fields of a request, each exactly once. */
	public static final Set<String> REQUEST_PSEUDO_HEADERS = Set.of(METHOD, PATH);

	/** The pseudo-header fields of a response, each exactly once. */
	public static final Set<String> RESPONSE_PSEUDO_HEADERS = Set.of(STATUS);

	/**
	 * The pseudo-header fields of an extended CONNECT, the opening of a WebSocket over a
	 * stream.
	 */
	public static final Set<String> EXTENDED_CONNECT_PSEUDO_HEADERS = Set.of(METHOD, PATH, PROTOCOL);

	/**
	 * Whether the pseudo-header fields of a block are exactly the expected ones, each
	 * once, before every regular field (docs/PROTOCOL.md 4.2).
	 * @param headers a header block
	 * @param expected {@link #REQUEST_PSEUDO_HEADERS} or {@link #RESPONSE_PSEUDO_HEADERS}
	 * @return whether the block's pseudo-header fields are well-formed
	 */
	public static boolean hasPseudoHeaders(List<Header> headers, Set<String> expected) {
		// runs on every request and response: the pseudo-header fields come first and
		// are at most a few, so a repeat is found among those before, without a set
		int pseudo = 0;
		boolean regular = false;
		for (Header header : headers) {
			String name = header.name();
			if (name.startsWith(":")) {
				if (regular || !expected.contains(name) || isAmongFirst(headers, pseudo, name)) {
					return false;
				}
				pseudo++;
			}
			else {
				regular = true;
			}
		}
		return pseudo == expected.size();
	}

	private static boolean isAmongFirst(List<Header> headers, int count, String name) {
		for (int i = 0; i < count; i++) {
			if (headers.get(i).name().equals(name)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a response header block is well-formed: {@code :status} once, first, three
	 * digits from 200 to 599, and no other pseudo-header field (docs/PROTOCOL.md 4.2).
	 * @param headers a response header block
	 * @return whether a receiver may pass the response on
	 */
	public static boolean isWellFormedResponse(List<Header> headers) {
		return hasPseudoHeaders(headers, RESPONSE_PSEUDO_HEADERS) && status(headers) > 0;
	}

	/**
	 * Return the value of a pseudo-header. Pseudo-headers come before the regular fields,
	 * so the search stops at the first regular one.
	 * @param headers a header block
	 * @param name the pseudo-header's name
	 * @return its value, or {@code null} if the block has none
	 */
	public static @Nullable String pseudo(List<Header> headers, String name) {
		for (Header header : headers) {
			if (header.name().equals(name)) {
				return header.value();
			}
			if (!header.name().startsWith(":")) {
				break;
			}
		}
		return null;
	}

	/**
	 * Return the {@code :status} of a response header block.
	 * @param headers a response header block
	 * @return the status, or -1 if missing or not three digits from 200 to 599
	 */
	public static int status(List<Header> headers) {
		String status = pseudo(headers, STATUS);
		if (status == null || status.length() != 3) {
			return -1;
		}
		try {
			int code = Integer.parseInt(status);
			return (code >= 200 && code <= 599) ? code : -1;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

}
