package io.swaggersocket.sample.hub;

import java.time.Instant;

import io.swaggersocket.connection.ConnectionInfo;

/**
 * A connected agent, as the hub lists it.
 *
 * @param id the id of the agent's connection, assigned by the hub in the handshake
 * @param name the agent's name, from its handshake metadata
 * @param region the agent's region, from its handshake metadata
 * @param connectedAt when the agent's handshake completed
 */
public record AgentSummary(String id, String name, String region, Instant connectedAt) {

	static AgentSummary of(ConnectionInfo info) {
		return new AgentSummary(info.id(), String.valueOf(info.metadata().getOrDefault("name", "")),
				String.valueOf(info.metadata().getOrDefault("region", "")), info.connectedAt());
	}

}
