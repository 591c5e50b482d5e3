package io.larder.gateway.lookup;

/** One read of a batch: fields of a hash (hash layout) or a whole string (packed layout). */
public sealed interface StoreRead permits HashRead, ValueRead {

  byte[] key();
}
