package io.swaggersocket.cluster;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisDirectoryKeys}.
 */
class RedisDirectoryKeysTests {

	private final RedisDirectoryKeys keys = new RedisDirectoryKeys("cluster-1");

	@Test
	void indexesTopLevelScalarsByTheirText() {
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("region", "eu");
		metadata.put("rack", 7);
		metadata.put("ratio", 0.5);
		metadata.put("primary", true);
		metadata.put("labels", Map.of("tier", "gold"));
		metadata.put("zones", List.of("a", "b"));
		metadata.put("owner", null);

		assertThat(this.keys.metadataIndexes(metadata)).containsExactly("{cluster-1}:metadata:region=eu",
				"{cluster-1}:metadata:rack=7", "{cluster-1}:metadata:ratio=0.5", "{cluster-1}:metadata:primary=true");
	}

	@Test
	void userGivenPartsCannotMakeOneKeyLookLikeAnother() {
		assertThat(this.keys.metadata("a=b", "c")).isNotEqualTo(this.keys.metadata("a", "b=c"));
		assertThat(this.keys.hubConnections("x")).isNotEqualTo(this.keys.hub("x:connections"));
		assertThat(Arrays.asList(this.keys.hub("x:connections"), this.keys.connection("a b")))
			.containsExactly("{cluster-1}:hub:x%3Aconnections", "{cluster-1}:connection:a+b");
	}

	@Test
	void everyKeySharesTheHashTagOfThePrefix() {
		assertThat(List.of(this.keys.hub("h"), this.keys.hubConnections("h"), this.keys.hubs(),
				this.keys.connection("c"), this.keys.connections(), this.keys.metadata("k", "v")))
			.allMatch((key) -> key.startsWith("{cluster-1}:"));
	}

}
