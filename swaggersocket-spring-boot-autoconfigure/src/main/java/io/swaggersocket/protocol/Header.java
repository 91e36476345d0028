package io.swaggersocket.protocol;

import java.util.List;

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
	 * Return the value of a pseudo-header. Pseudo-headers come before the regular fields, so
	 * the search stops at the first regular one.
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
