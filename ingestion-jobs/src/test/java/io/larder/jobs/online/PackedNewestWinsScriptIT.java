package io.larder.jobs.online;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** The packed layout's write script against the stack's Redis: newest wins, expiry, batching. */
@Timeout(60)
class PackedNewestWinsScriptIT {

  private static final String URI =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  private static final int[] IDS = {PackedRows.featureId("t", "f"), PackedRows.featureId("t", "g")};
  private static UnifiedJedis redis;
  private final byte[] key =
      PackedRows.key(
          PackedRows.keyPrefix("t"),
          ("larder-it-packed-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));

  @BeforeAll
  static void connect() {
    redis = RedisConnections.open(RedisAccess.plain(URI, false));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @AfterEach
  void clean() {
    redis.del(key);
  }

  private static List<byte[]> args(long seconds, int nanos, Value f, Value g, String expiresAt) {
    List<Value> values = new ArrayList<>();
    values.add(f);
    values.add(g);
    byte[] row =
        PackedRows.row(
            Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build(), IDS, values);
    return List.of(row, expiresAt.getBytes(StandardCharsets.US_ASCII));
  }

  private long write(long seconds, int nanos, String f, String expiresAt) {
    try (PipelinedScriptWriter writer =
        new PipelinedScriptWriter(redis, NewestWinsScript.PACKED, 10, 4)) {
      writer.write(key, args(seconds, nanos, string(f), null, expiresAt));
      writer.flush();
      return writer.written();
    }
  }

  private static Value string(String value) {
    return value == null ? null : Value.newBuilder().setStringVal(value).build();
  }

  private PackedRow stored() throws Exception {
    return PackedRow.parseFrom(redis.get(key));
  }

  @Test
  void comparesSecondsThenNanosAndWritesOnlyStrictlyNewer() throws Exception {
    assertThat(write(4_102_444_800L, 5, "first", "")).isEqualTo(1);
    assertThat(write(4_102_444_800L, 5, "equal", "")).isZero();
    assertThat(write(4_102_444_800L, 4, "older nanos", "")).isZero();
    assertThat(write(4_102_444_799L, 999_999_999, "older second", "")).isZero();
    assertThat(write(4_102_444_800L, 6, "newer nanos", "")).isEqualTo(1);
    assertThat(stored().getFeatures(0).getValue()).isEqualTo(string("newer nanos"));
    assertThat(stored().getEventTimestamp().getNanos()).isEqualTo(6);
    redis.del(key);
    // Before 1970: negative seconds are 10-byte varints.
    assertThat(write(-100, 0, "old", "")).isEqualTo(1);
    assertThat(write(-200, 0, "older", "")).isZero();
    assertThat(write(-50, 0, "newer", "")).isEqualTo(1);
  }

  @Test
  void aNewerRowReplacesTheWholeRowSoAValueNowNullIsGone() throws Exception {
    try (PipelinedScriptWriter writer =
        new PipelinedScriptWriter(redis, NewestWinsScript.PACKED, 10, 4)) {
      writer.write(key, args(100, 0, string("f1"), string("g1"), ""));
      writer.flush();
      writer.write(key, args(200, 0, null, string("g2"), ""));
      writer.flush();
    }
    assertThat(stored().getFeaturesList())
        .singleElement()
        .satisfies(
            feature -> {
              assertThat(feature.getId()).isEqualTo(IDS[1]);
              assertThat(feature.getValue()).isEqualTo(string("g2"));
            });
  }

  @Test
  void expiresAtTheGivenSecondOrNeverWithoutMaxAge() {
    long inAnHour = System.currentTimeMillis() / 1000 + 3600;
    write(100, 0, "f", Long.toString(inAnHour));
    assertThat(redis.expireTime(key)).isEqualTo(inAnHour);
    write(200, 0, "f", "");
    // No max_age on the newer row: no expiry left over from the older one.
    assertThat(redis.ttl(key)).isEqualTo(-1);
    // A row that is already past its expiry is written and gone at once.
    write(300, 0, "f", "1");
    assertThat(redis.exists(key)).isFalse();
  }

  @Test
  void aStoredValueThatIsNotAPackedRowIsReplaced() throws Exception {
    redis.set(key, new byte[] {(byte) 0xff, (byte) 0xff});
    assertThat(write(100, 0, "f", "")).isEqualTo(1);
    assertThat(stored().getFeatures(0).getValue()).isEqualTo(string("f"));
  }

  @Test
  void manyEntitiesPerCallAnswerOneReplyEach() {
    List<byte[]> keys = new ArrayList<>();
    try (PipelinedScriptWriter writer =
        new PipelinedScriptWriter(redis, NewestWinsScript.PACKED, 7, 3)) {
      for (int i = 0; i < 20; i++) {
        byte[] entity = PackedRows.key(key, ("-" + i).getBytes(StandardCharsets.US_ASCII));
        keys.add(entity);
        writer.write(entity, args(100 + i, 0, string("v" + i), null, ""));
      }
      writer.flush();
      for (int i = 0; i < 20; i++) {
        writer.write(keys.get(i), args(i % 2 == 0 ? 50 : 500, 0, string("w" + i), null, ""));
      }
      writer.flush();
      assertThat(writer.written()).isEqualTo(30);
      assertThat(writer.notNewer()).isEqualTo(10);
    } finally {
      keys.forEach(redis::del);
    }
  }
}
