package io.larder.gateway.lookup;

/** GET {@code key} (sent as part of an MGET): answered with one value, null when absent. */
public record ValueRead(byte[] key) implements StoreRead {}
