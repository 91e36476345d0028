package io.swaggersocket.sample.agent;

import java.time.Instant;

/**
 * Who this agent is: the name and region it sends to the hub as handshake metadata.
 *
 * @param name the agent's name
 * @param region the agent's region
 * @param startedAt when this agent started
 */
public record AgentIdentity(String name, String region, Instant startedAt) {
}
