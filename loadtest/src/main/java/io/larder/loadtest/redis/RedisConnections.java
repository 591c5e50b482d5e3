package io.larder.loadtest.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;

/**
 * A byte-array Lettuce connection for the load tools, configured like the gateway's: every command
 * times out, and commands fail instead of queueing while disconnected.
 */
public final class RedisConnections implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;

  private RedisConnections(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
    this.client = client;
    this.connection = connection;
  }

  public static RedisConnections open(String uri, Duration commandTimeout) {
    RedisClient client = RedisClient.create(RedisURI.create(uri));
    client.setOptions(
        ClientOptions.builder()
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
    try {
      return new RedisConnections(client, client.connect(ByteArrayCodec.INSTANCE));
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  public StatefulRedisConnection<byte[], byte[]> connection() {
    return connection;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
