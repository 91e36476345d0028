package io.swaggersocket.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The secret the hubs of a cluster share ({@code swaggersocket.cluster.secret}): a hub
 * sends it with every call it forwards, and the owning hub serves only calls that carry
 * it.
 */
public final class ClusterSecret {

	private final String value;

	private final byte[] digest;

	/**
	 * Create a secret.
	 * @param value the secret, not empty
	 */
	public ClusterSecret(String value) {
		Assert.hasText(value, "The cluster secret must not be empty");
		this.value = value;
		this.digest = sha256(value);
	}

	/**
	 * Whether a caller's value is this secret. Both are hashed first, so that the time
	 * taken depends neither on where they differ nor on their lengths.
	 * @param candidate the value the caller sent, or {@code null} if none
	 * @return whether it is the secret
	 */
	public boolean matches(@Nullable String candidate) {
		return candidate != null && MessageDigest.isEqual(this.digest, sha256(candidate));
	}

	String value() {
		return this.value;
	}

	@Override
	public String toString() {
		return "ClusterSecret[******]";
	}

	private static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
		}
	}

}
