package io.larder.gateway.support;

import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.types.ValueProto.Value;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes feature rows into the shared Redis (the stack's, 6379) the way ingestion does, through the
 * online-store library. Keys live under the caller's unique project, expire after an hour, and are
 * deleted on {@link #close}.
 */
public final class OnlineStoreTestData implements AutoCloseable {

  private static final Duration KEY_TTL = Duration.ofHours(1);

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final List<byte[]> written = new ArrayList<>();

  private OnlineStoreTestData(RedisClient client) {
    this.client = client;
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  /** The Redis that the gateway under test reads (LARDER_REDIS_URI, default 127.0.0.1:6379). */
  public static String redisUri() {
    String uri = System.getenv("LARDER_REDIS_URI");
    if (uri != null && !uri.isBlank()) {
      return uri;
    }
    String port = System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
    return "redis://127.0.0.1:" + port;
  }

  public static OnlineStoreTestData connect() {
    return connect(redisUri());
  }

  public static OnlineStoreTestData connect(String redisUri) {
    RedisClient client = RedisClient.create(RedisURI.create(redisUri));
    client.setDefaultTimeout(Duration.ofSeconds(10));
    return new OnlineStoreTestData(client);
  }

  /** One feature-table row of one entity, as OnlineRowWriter lays it out (nulls not written). */
  public void writeRow(
      String project,
      Map<String, Value> entity,
      String table,
      Map<String, Value> features,
      Instant eventTime) {
    byte[] key = OnlineStoreKeys.entityKey(project, entity);
    hset(key, OnlineRowWriter.fields(table, features, Specs.timestamp(eventTime), null));
  }

  /**
   * Many rows of one table at once, pipelined (for large requests): {@code features} gives each
   * entity's feature values.
   */
  public void writeRows(
      String project,
      List<Map<String, Value>> entities,
      String table,
      java.util.function.Function<Map<String, Value>, Map<String, Value>> features,
      Instant eventTime) {
    RedisAsyncCommands<byte[], byte[]> redis = connection.async();
    List<RedisFuture<?>> replies = new ArrayList<>();
    for (Map<String, Value> entity : entities) {
      byte[] key = OnlineStoreKeys.entityKey(project, entity);
      replies.add(
          redis.hset(
              key,
              OnlineRowWriter.fields(
                  table, features.apply(entity), Specs.timestamp(eventTime), null)));
      replies.add(redis.expire(key, KEY_TTL));
      written.add(key);
    }
    if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), replies.toArray(RedisFuture<?>[]::new))) {
      throw new IllegalStateException("Redis did not take " + entities.size() + " rows in 60 s");
    }
  }

  /**
   * One feature-table row of one entity in the packed layout, features in the map's order (nulls
   * not written).
   */
  public void writePackedRow(
      String project,
      Map<String, Value> entity,
      String table,
      Map<String, Value> features,
      Instant eventTime) {
    byte[] key =
        PackedRows.key(PackedRows.keyPrefix(table), OnlineStoreKeys.entityKey(project, entity));
    connection
        .sync()
        .set(
            key,
            PackedRows.row(table, Specs.timestamp(eventTime), features),
            io.lettuce.core.SetArgs.Builder.ex(KEY_TTL));
    written.add(key);
  }

  /** A raw field, to store what a writer would not (an unset Value, a wrongly typed one). */
  public void writeFeatureBytes(
      String project, Map<String, Value> entity, String table, String feature, byte[] value) {
    byte[] key = OnlineStoreKeys.entityKey(project, entity);
    hset(key, Map.of(OnlineStoreKeys.featureField(table, feature), value));
  }

  private void hset(byte[] key, Map<byte[], byte[]> fields) {
    RedisCommands<byte[], byte[]> redis = connection.sync();
    redis.hset(key, fields);
    redis.expire(key, KEY_TTL);
    written.add(key);
  }

  @Override
  public void close() {
    try {
      if (!written.isEmpty()) {
        RedisCommands<byte[], byte[]> redis = connection.sync();
        for (int from = 0; from < written.size(); from += 1000) {
          redis.del(
              written.subList(from, Math.min(written.size(), from + 1000)).toArray(new byte[0][]));
        }
      }
    } finally {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
