package io.larder.jobs.online;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineStoreKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** The write script on its own, against the stack's Redis: time comparison and script reloading. */
@Timeout(60)
class NewestWinsScriptIT {

  private static final String URI =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  private static UnifiedJedis redis;
  private final byte[] key =
      ("larder-it-script-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

  @BeforeAll
  static void connect() {
    redis = RedisConnections.open(RedisAccess.plain(URI, false));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  private long write(long seconds, int nanos, String value) {
    try (PipelinedScriptWriter writer = new PipelinedScriptWriter(redis, 10)) {
      byte[] ts = Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build().toByteArray();
      writer.write(
          key,
          List.of(
              OnlineStoreKeys.timestampField("t"),
              ts,
              OnlineStoreKeys.expiryField("t"),
              new byte[0],
              "2".getBytes(StandardCharsets.US_ASCII),
              "f".getBytes(StandardCharsets.US_ASCII),
              value.getBytes(StandardCharsets.UTF_8),
              OnlineStoreKeys.timestampField("t"),
              ts));
      writer.flush();
      return writer.written();
    } finally {
      redis.expire(key, 60);
    }
  }

  @Test
  void comparesSecondsThenNanosAndWritesOnlyStrictlyNewer() {
    // Large seconds (multi-byte varints) and nanos in the same second.
    assertThat(write(4_102_444_800L, 5, "first")).isEqualTo(1);
    assertThat(write(4_102_444_800L, 5, "equal")).isZero();
    assertThat(write(4_102_444_800L, 4, "older nanos")).isZero();
    assertThat(write(4_102_444_799L, 999_999_999, "older second")).isZero();
    assertThat(write(4_102_444_800L, 6, "newer nanos")).isEqualTo(1);
    assertThat(redis.hget(key, "f".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("newer nanos".getBytes(StandardCharsets.UTF_8));
    assertThat(write(4_102_444_801L, 0, "newer second")).isEqualTo(1);
    redis.del(key);
    // Before 1970: negative seconds are 10-byte varints.
    assertThat(write(-100, 0, "old")).isEqualTo(1);
    assertThat(write(-200, 0, "older")).isZero();
    assertThat(write(-50, 0, "newer")).isEqualTo(1);
    redis.del(key);
  }

  @Test
  void aFlushedScriptCacheFallsBackToEval() {
    try (PipelinedScriptWriter writer = new PipelinedScriptWriter(redis, 10)) {
      redis.scriptFlush();
      byte[] ts = Timestamp.newBuilder().setSeconds(1).build().toByteArray();
      writer.write(
          key,
          List.of(
              OnlineStoreKeys.timestampField("t"),
              ts,
              OnlineStoreKeys.expiryField("t"),
              new byte[0],
              "1".getBytes(StandardCharsets.US_ASCII),
              OnlineStoreKeys.timestampField("t"),
              ts));
      writer.flush();
      assertThat(writer.written()).isEqualTo(1);
    } finally {
      redis.del(key);
    }
  }

  @Test
  void oneCallWritesSeveralEntitiesEachByItsOwnStoredTime() {
    byte[] other = ("larder-it-script-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    byte[] third = ("larder-it-script-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    try {
      assertThat(write(100, 0, "stored")).isEqualTo(1);
      try (PipelinedScriptWriter writer = new PipelinedScriptWriter(redis, 10, 16)) {
        writer.write(key, rowArgs(50, "older"));
        writer.write(other, rowArgs(50, "new key"));
        writer.write(third, rowArgs(200, "third"));
        writer.write(key, rowArgs(300, "newer"));
        writer.flush();
        assertThat(writer.written()).isEqualTo(3);
        assertThat(writer.notNewer()).isEqualTo(1);
      }
      assertThat(redis.hget(key, "f".getBytes(StandardCharsets.US_ASCII)))
          .isEqualTo("newer".getBytes(StandardCharsets.UTF_8));
      assertThat(redis.hget(other, "f".getBytes(StandardCharsets.US_ASCII)))
          .isEqualTo("new key".getBytes(StandardCharsets.UTF_8));
    } finally {
      redis.del(key, other, third);
    }
  }

  private static List<byte[]> rowArgs(long seconds, String value) {
    byte[] ts = Timestamp.newBuilder().setSeconds(seconds).build().toByteArray();
    return List.of(
        OnlineStoreKeys.timestampField("t"),
        ts,
        OnlineStoreKeys.expiryField("t"),
        new byte[0],
        "2".getBytes(StandardCharsets.US_ASCII),
        "f".getBytes(StandardCharsets.US_ASCII),
        value.getBytes(StandardCharsets.UTF_8),
        OnlineStoreKeys.timestampField("t"),
        ts);
  }
}
