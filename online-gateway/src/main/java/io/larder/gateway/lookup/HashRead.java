package io.larder.gateway.lookup;

import java.util.List;

/** HMGET {@code key} {@code fields...}. */
public record HashRead(byte[] key, List<byte[]> fields) {}
