package io.larder.jobs.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** A table's rows copied between the layouts against the stack's Redis, and the source removed. */
@Timeout(60)
class LayoutCopyIT {

  private static final String URI =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  private static final long NOW = System.currentTimeMillis() / 1000;
  private static UnifiedJedis redis;

  private final String project = "copy_" + UUID.randomUUID().toString().substring(0, 8);
  private final FeatureTableSpec table =
      FeatureTableSpec.newBuilder()
          .setName("stats")
          .addEntities("driver_id")
          .addFeatures(feature("trips", ValueType.Enum.INT64))
          .addFeatures(feature("city", ValueType.Enum.STRING))
          .setMaxAge(Duration.newBuilder().setSeconds(3600))
          .build();
  private final LayoutCopy copy =
      new LayoutCopy(
          project, table, RedisTarget.newBuilder().setUri(URI).setPipelineSize(2).build());

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
    for (long driver = 1; driver <= 5; driver++) {
      redis.del(key(project, driver));
      redis.del(PackedRows.key(PackedRows.keyPrefix("stats"), key(project, driver)));
    }
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  private static byte[] key(String project, long driver) {
    return OnlineStoreKeys.entityKey(
        project, Map.of("driver_id", Value.newBuilder().setInt64Val(driver).build()));
  }

  private static Timestamp seconds(long seconds) {
    return Timestamp.newBuilder().setSeconds(seconds).build();
  }

  private void writeHash(long driver, String table, Long trips, String city, long eventSeconds) {
    Map<String, Value> features = new LinkedHashMap<>();
    features.put("trips", trips == null ? null : Value.newBuilder().setInt64Val(trips).build());
    features.put("city", city == null ? null : Value.newBuilder().setStringVal(city).build());
    redis.hset(
        key(project, driver),
        OnlineRowWriter.fields(
            table, features, seconds(eventSeconds), seconds(eventSeconds + 3600)));
  }

  private PackedRow packed(long driver) throws Exception {
    byte[] stored = redis.get(PackedRows.key(PackedRows.keyPrefix("stats"), key(project, driver)));
    return stored == null ? null : PackedRow.parseFrom(stored);
  }

  @Test
  void hashRowsOfTheTableAreCopiedNewestWinsAndTheSourceRemovedLeavingOtherTables()
      throws Exception {
    writeHash(1, "stats", 10L, "a", NOW - 60);
    writeHash(2, "stats", 20L, null, NOW - 60);
    writeHash(2, "other", 99L, "x", NOW - 60); // another table on the same key
    writeHash(3, "other", 30L, "c", NOW - 60); // no row of this table
    // Driver 4's packed row is already newer (ingested in the new layout meanwhile).
    writeHash(4, "stats", 40L, "d", NOW - 60);
    redis.set(
        PackedRows.key(PackedRows.keyPrefix("stats"), key(project, 4)),
        PackedRows.row(
            "stats", seconds(NOW), Map.of("trips", Value.newBuilder().setInt64Val(41).build())));

    LayoutCopy.Counts counts = copy.copy(OnlineLayout.HASH, OnlineLayout.PACKED);

    assertThat(counts).isEqualTo(new LayoutCopy.Counts(3, 2, 1));
    PackedRow one = packed(1);
    assertThat(one.getEventTimestamp()).isEqualTo(seconds(NOW - 60));
    assertThat(one.getFeaturesList())
        .extracting(f -> f.getValue())
        .containsExactly(
            Value.newBuilder().setInt64Val(10).build(),
            Value.newBuilder().setStringVal("a").build());
    assertThat(redis.expireTime(PackedRows.key(PackedRows.keyPrefix("stats"), key(project, 1))))
        .isEqualTo(NOW - 60 + 3600);
    assertThat(packed(2).getFeaturesList()).hasSize(1); // the null city is not carried over
    assertThat(packed(3)).isNull();
    assertThat(packed(4).getFeatures(0).getValue().getInt64Val()).isEqualTo(41);

    // A second pass finds nothing newer to write.
    assertThat(copy.copy(OnlineLayout.HASH, OnlineLayout.PACKED).rowsWritten()).isZero();

    assertThat(copy.removeRows(OnlineLayout.HASH)).isEqualTo(3);
    assertThat(redis.hexists(key(project, 1), OnlineStoreKeys.timestampField("stats"))).isFalse();
    assertThat(redis.hget(key(project, 2), OnlineStoreKeys.featureField("other", "trips")))
        .isNotNull();
  }

  @Test
  void packedRowsCopyBackIntoHashesWithTheSameValuesAndExpiry() throws Exception {
    writeHash(1, "stats", 10L, "a", NOW - 60);
    writeHash(2, "stats", 20L, null, NOW - 30);
    Map<byte[], byte[]> before = redis.hgetAll(key(project, 1));
    copy.copy(OnlineLayout.HASH, OnlineLayout.PACKED);
    copy.removeRows(OnlineLayout.HASH);

    LayoutCopy.Counts back = copy.copy(OnlineLayout.PACKED, OnlineLayout.HASH);

    assertThat(back).isEqualTo(new LayoutCopy.Counts(2, 2, 0));
    Map<byte[], byte[]> after = redis.hgetAll(key(project, 1));
    assertThat(after).hasSameSizeAs(before);
    assertThat(redis.hget(key(project, 1), OnlineStoreKeys.featureField("stats", "city")))
        .isEqualTo(Value.newBuilder().setStringVal("a").build().toByteArray());
    assertThat(redis.hget(key(project, 2), OnlineStoreKeys.timestampField("stats")))
        .isEqualTo(seconds(NOW - 30).toByteArray());
    assertThat(redis.hget(key(project, 2), OnlineStoreKeys.featureField("stats", "city"))).isNull();
    assertThat(redis.expireTime(key(project, 1))).isEqualTo(NOW - 60 + 3600);
    assertThat(copy.removeRows(OnlineLayout.PACKED)).isEqualTo(2);
    assertThat(packed(1)).isNull();
  }

  @Test
  void refusesACopyIntoTheSameLayoutAndAClusterForNow() {
    assertThatThrownBy(() -> copy.copy(OnlineLayout.HASH, OnlineLayout.HASH))
        .hasMessageContaining("already in the hash layout");
    assertThatThrownBy(
            () ->
                new LayoutCopy(
                    project, table, RedisTarget.newBuilder().setUri(URI).setCluster(true).build()))
        .hasMessageContaining("Cluster");
  }
}
