package io.swaggersocket.connection;

/**
 * Counters of one connection since it opened.
 *
 * @param requestsInbound exchanges the peer opened
 * @param requestsOutbound exchanges this application opened
 * @param bytesInbound bytes received, frame headers included
 * @param bytesOutbound bytes sent, frame headers included
 * @param streamsReset streams that ended with a RESET, sent or received
 */
public record ConnectionStatistics(long requestsInbound, long requestsOutbound, long bytesInbound, long bytesOutbound,
		long streamsReset) {
}
