package io.swaggersocket.benchmarks;

/**
 * The answer to an upload: how many body bytes the handler read.
 *
 * @param bytes the byte count
 */
record Received(long bytes) {

}
