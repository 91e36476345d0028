/**
 * Netty's leak detector at {@code paranoid} in every test JVM, with a failed test class
 * for every leak it reports instead of an ERROR line nobody reads.
 */
package io.swaggersocket.test.leaks;
