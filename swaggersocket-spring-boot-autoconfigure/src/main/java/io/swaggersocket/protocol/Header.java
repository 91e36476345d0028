package io.swaggersocket.protocol;

/**
 * One header field of a HEADERS frame. Names starting with {@code ':'} are pseudo-headers
 * ({@code :method}, {@code :path}, {@code :status}).
 *
 * @param name the field name (case-insensitive; senders use lower case)
 * @param value the field value
 */
public record Header(String name, String value) {
}
