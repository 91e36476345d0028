/**
 * Many hubs, one address space: the directory that says which hub holds which connection,
 * and the forwarding of calls to the hub that holds it.
 */
@NullMarked
package io.swaggersocket.cluster;

import org.jspecify.annotations.NullMarked;
