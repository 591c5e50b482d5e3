package io.larder.gateway.lookup;

import java.util.List;

/** HMGET {@code key} {@code fields...}: answered with the fields' values in order. */
public record HashRead(byte[] key, List<byte[]> fields) implements StoreRead {}
