package io.swaggersocket.cluster;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only hubs speak for hubs: every cluster header goes, whatever the case of its name, and
 * nothing else does.
 */
class ClusterForwarderTests {

	@Test
	void clusterHeadersGoInAnyCaseAndOtherHeadersStay() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("X-SwaggerSocket-Cluster-Secret", "guess");
		headers.add("X-SWAGGERSOCKET-CLUSTER-HOST", "evil.example");
		headers.add("x-swaggersocket-cluster-prefix", "/elsewhere");
		headers.add("X-SwaggerSocket-Cluster-Prefix", "/twice");
		headers.add("X-SwaggerSocket-Clusters", "not a cluster header");
		headers.add("X-SwaggerSocket-Wait", "1");
		headers.add("Content-Type", "application/json");

		ClusterForwarder.removeClusterHeaders(headers);

		assertThat(headers.headerNames()).containsExactly("X-SwaggerSocket-Clusters", "X-SwaggerSocket-Wait",
				"Content-Type");
	}

	@Test
	void headersWithoutClusterHeadersAreLeftAsTheyAre() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Accept", "application/json");
		headers.add("Accept", "text/plain");

		ClusterForwarder.removeClusterHeaders(headers);

		assertThat(headers.get("accept")).containsExactly("application/json", "text/plain");
	}

}
