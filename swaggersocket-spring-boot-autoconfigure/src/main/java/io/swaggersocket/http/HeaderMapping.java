package io.swaggersocket.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.swaggersocket.protocol.Header;

import org.springframework.http.HttpHeaders;

/**
 * Converts between {@link HttpHeaders} and header fields on the wire, dropping the
 * hop-by-hop fields of RFC 9110 section 7.6.1 in both directions: {@code Connection} and
 * the fields it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Transfer-Encoding} and {@code Upgrade}. A stream's body is delimited by
 * END_STREAM, never by these.
 */
public final class HeaderMapping {

	private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
			"transfer-encoding", "upgrade");

	private HeaderMapping() {
	}

	/**
	 * Return a URI's request target in origin form, the {@code :path} of a stream: its
	 * raw path ({@code /} when empty) and raw query, percent-encoding kept.
	 * @param uri the URI a request is for
	 * @return the request target
	 */
	public static String originForm(URI uri) {
		String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
		return (uri.getRawQuery() != null) ? path + "?" + uri.getRawQuery() : path;
	}

	/**
	 * Write pseudo-headers, then the end-to-end fields of {@code headers}, names in lower
	 * case.
	 * @param first the fields that come first: the pseudo-header fields, then any field
	 * the caller adds ahead of the others
	 * @param headers the fields
	 * @return the header block
	 */
	public static List<Header> toWire(List<Header> first, HttpHeaders headers) {
		Set<String> dropped = droppedNames(headers);
		List<Header> wire = new ArrayList<>(first.size() + headers.size());
		wire.addAll(first);
		// forEach walks the fields as they are, where headerSet() of read-only headers
		// (every WebClient request's, once committed) copies them into a new set first
		headers.forEach((name, values) -> {
			String lowerCase = name.toLowerCase(Locale.ROOT);
			if (!dropped.contains(lowerCase)) {
				for (String value : values) {
					wire.add(new Header(lowerCase, value));
				}
			}
		});
		return wire;
	}

	/**
	 * Read the regular (non-pseudo) fields of a header block, without hop-by-hop fields.
	 * Spaces and tabs around a value are not part of it (RFC 9110 section 5.5): they are
	 * dropped, as an HTTP/1.1 parser drops them, so that the value can also be written to
	 * HTTP/1.1 unchanged.
	 * @param wire the header block
	 * @return the fields
	 */
	public static HttpHeaders fromWire(List<Header> wire) {
		HttpHeaders headers = new HttpHeaders();
		for (Header header : wire) {
			if (!header.name().startsWith(":")) {
				headers.add(header.name(), trimWhitespace(header.value()));
			}
		}
		Set<String> dropped = droppedNames(headers);
		dropped.forEach(headers::remove);
		return headers;
	}

	/**
	 * A copy of {@code headers} without hop-by-hop fields.
	 */
	static HttpHeaders withoutHopByHop(HttpHeaders headers) {
		HttpHeaders copy = new HttpHeaders();
		// by name: a server's or client's native headers may list a name once per value
		for (String name : headers.headerNames()) {
			List<String> values = headers.get(name);
			if (values != null) {
				copy.addAll(name, values);
			}
		}
		droppedNames(headers).forEach(copy::remove);
		return copy;
	}

	/**
	 * Add the end-to-end fields of {@code headers} to {@code target}, without the copy
	 * {@link #withoutHopByHop(HttpHeaders)} makes: for headers of this module's own (not
	 * a server's or client's native ones, which may list a name once per value).
	 */
	static void addWithoutHopByHop(HttpHeaders target, HttpHeaders headers) {
		target.addAll(headers);
		droppedNames(headers).forEach(target::remove);
	}

	private static String trimWhitespace(String value) {
		int start = 0;
		int end = value.length();
		while (start < end && isWhitespace(value.charAt(start))) {
			start++;
		}
		while (end > start && isWhitespace(value.charAt(end - 1))) {
			end--;
		}
		return value.substring(start, end);
	}

	private static boolean isWhitespace(char c) {
		return c == ' ' || c == '\t';
	}

	private static Set<String> droppedNames(HttpHeaders headers) {
		List<String> connection = headers.get(HttpHeaders.CONNECTION);
		if (connection == null) {
			return HOP_BY_HOP;
		}
		Set<String> dropped = new HashSet<>(HOP_BY_HOP);
		for (String value : connection) {
			for (String token : value.split(",")) {
				if (!token.isBlank()) {
					dropped.add(token.trim().toLowerCase(Locale.ROOT));
				}
			}
		}
		return dropped;
	}

}
