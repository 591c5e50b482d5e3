package io.larder.gateway.store.redis;

import io.lettuce.core.api.StatefulConnection;

/**
 * The one thing that differs between standalone Redis and Redis Cluster: the connection commands
 * are dispatched on. A Cluster connection routes each command to the node owning its key's slot, so
 * the same batch code serves both.
 */
interface RedisConnector extends AutoCloseable {

  /**
   * The shared, multiplexed connection, without waiting.
   *
   * @throws io.lettuce.core.RedisConnectionException while no connection has been made yet
   */
  StatefulConnection<byte[], byte[]> connection();

  /**
   * A second connection, for reads larger than one chunk: their pipelined commands queue there, so
   * small reads on {@link #connection()} never wait behind them (in Redis's per-client order or in
   * Lettuce's decoding).
   *
   * @throws io.lettuce.core.RedisConnectionException while no connection has been made yet
   */
  StatefulConnection<byte[], byte[]> largeReadConnection();

  /** Whether the connections have been made (reads before that fail at once). */
  boolean connected();

  /** What this connects to, for logs and messages. */
  String describe();

  @Override
  void close();
}
