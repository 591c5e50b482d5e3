package io.larder.jobs.batch;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.larder.jobs.spark.SparkSessions;
import io.larder.onlinestore.OnlineRowReader;
import io.larder.onlinestore.OnlineRowReader.FeatureValue;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Specs, Redis access and snapshots shared by the batch-ingestion and Spark SDK tests. */
public final class BatchFixtures {

  public static final String REDIS_URI =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");

  private BatchFixtures() {}

  public static SparkSession spark(String app) {
    return SparkSessions.create(
        app,
        "local[2]",
        Map.of("spark.sql.shuffle.partitions", "2", "spark.default.parallelism", "2"));
  }

  public static UnifiedJedis redis() {
    return RedisClient.create(java.net.URI.create(REDIS_URI));
  }

  /** A project name no other test uses: the key namespace of one test. */
  public static String project(String name) {
    return name + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  public static EntitySpecV2 entity(String name, ValueType.Enum type) {
    return EntitySpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  public static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  public static DataSource.Builder fileSource(String url) {
    return DataSource.newBuilder()
        .setType(DataSource.SourceType.BATCH_FILE)
        .setEventTimestampColumn("event_timestamp")
        .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(url));
  }

  public static FeatureTableSpec table(
      String name,
      List<String> entities,
      List<FeatureSpecV2> features,
      DataSource.Builder source,
      long maxAgeSeconds) {
    FeatureTableSpec.Builder table =
        FeatureTableSpec.newBuilder()
            .setName(name)
            .addAllEntities(entities)
            .addAllFeatures(features)
            .setBatchSource(source);
    if (maxAgeSeconds > 0) {
      table.setMaxAge(Duration.newBuilder().setSeconds(maxAgeSeconds));
    }
    return table.build();
  }

  static BatchIngestionSpec spec(
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      Instant start,
      Instant end) {
    BatchIngestionSpec.Builder spec =
        BatchIngestionSpec.newBuilder()
            .setProject(project)
            .setTable(table)
            .addAllEntities(entities)
            .setRedis(RedisTarget.newBuilder().setUri(REDIS_URI).setPipelineSize(3));
    if (start != null) {
      spec.setStart(timestamp(start));
    }
    if (end != null) {
      spec.setEnd(timestamp(end));
    }
    return spec.build();
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  public static java.sql.Timestamp sql(Instant instant) {
    return java.sql.Timestamp.from(instant);
  }

  public static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  static Value string(String value) {
    return Value.newBuilder().setStringVal(value).build();
  }

  public static byte[] key(String project, Map<String, Value> entities) {
    return OnlineStoreKeys.entityKey(project, entities);
  }

  /** What the gateway would answer for one feature of one stored row (no max-age check). */
  public static FeatureValue read(
      UnifiedJedis redis, byte[] key, String table, String feature, ValueType.Enum type) {
    byte[] ts = redis.hget(key, OnlineStoreKeys.timestampField(table));
    byte[] value = redis.hget(key, OnlineStoreKeys.featureField(table, feature));
    return OnlineRowReader.read(value, type, OnlineRowReader.freshness(ts, 0, 0));
  }

  /**
   * What the gateway would answer for one feature of one stored packed row (no max-age check): the
   * row scanned as the gateway scans it.
   */
  public static FeatureValue readPacked(
      UnifiedJedis redis, byte[] entityKey, String table, String feature, ValueType.Enum type) {
    byte[] row = redis.get(PackedRows.key(PackedRows.keyPrefix(table), entityKey));
    byte[][] found = new byte[2][];
    if (row != null) {
      int wanted = PackedRows.featureId(table, feature);
      PackedRows.scan(
          row,
          new PackedRows.RowVisitor() {
            @Override
            public void eventTimestamp(byte[] timestamp) {
              found[0] = timestamp;
            }

            @Override
            public void feature(int id, byte[] value) {
              if (id == wanted) {
                found[1] = value;
              }
            }
          });
    }
    return OnlineRowReader.read(found[1], type, OnlineRowReader.freshness(found[0], 0, 0));
  }

  static Instant storedTime(UnifiedJedis redis, byte[] key, byte[] field) {
    byte[] bytes = redis.hget(key, field);
    if (bytes == null) {
      return null;
    }
    try {
      Timestamp ts = Timestamp.parseFrom(bytes);
      return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Every key of a project as "entity values → sorted hex fields + absolute expiry", with the
   * project left out so two projects written in different orders compare equal.
   */
  static Map<String, String> snapshot(UnifiedJedis redis, String project) {
    Map<String, String> snapshot = new TreeMap<>();
    for (byte[] key : keys(redis, project)) {
      RedisKeyV2 parsed;
      try {
        parsed = RedisKeyV2.parseFrom(key);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
      if (!parsed.getProject().equals(project)) {
        continue;
      }
      Map<String, String> fields = new TreeMap<>();
      redis
          .hgetAll(key)
          .forEach((f, v) -> fields.put(HexFormat.of().formatHex(f), HexFormat.of().formatHex(v)));
      snapshot.put(
          parsed.getEntityNamesList() + "=" + parsed.getEntityValuesList().toString().trim(),
          fields + " expiretime=" + redis.expireTime(key));
    }
    return snapshot;
  }

  static List<byte[]> keys(UnifiedJedis redis, String project) {
    // RedisKeyV2 starts with field 1: tag 0x0a, length, the project's bytes.
    byte[] projectBytes = project.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] prefix = new byte[projectBytes.length + 3];
    prefix[0] = 0x0a;
    prefix[1] = (byte) projectBytes.length;
    System.arraycopy(projectBytes, 0, prefix, 2, projectBytes.length);
    prefix[prefix.length - 1] = '*';
    List<byte[]> keys = new ArrayList<>();
    byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
    ScanParams params = new ScanParams().match(prefix).count(1000);
    do {
      ScanResult<byte[]> page = redis.scan(cursor, params);
      keys.addAll(page.getResult());
      cursor = page.getCursorAsBytes();
    } while (!java.util.Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
    return keys;
  }

  public static void deleteProject(UnifiedJedis redis, String project) {
    for (byte[] key : keys(redis, project)) {
      redis.del(key);
    }
    for (byte[] key : packedKeys(redis, project)) {
      redis.del(key);
    }
  }

  /** Every packed key ({@code _p:<table>:} + RedisKeyV2) of a project, of any table. */
  static List<byte[]> packedKeys(UnifiedJedis redis, String project) {
    List<byte[]> keys = new ArrayList<>();
    byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
    ScanParams params =
        new ScanParams().match("_p:*".getBytes(StandardCharsets.US_ASCII)).count(1000);
    do {
      ScanResult<byte[]> page = redis.scan(cursor, params);
      for (byte[] key : page.getResult()) {
        int at = indexOf(key, (byte) ':', 3);
        try {
          if (at > 0
              && RedisKeyV2.parseFrom(java.util.Arrays.copyOfRange(key, at + 1, key.length))
                  .getProject()
                  .equals(project)) {
            keys.add(key);
          }
        } catch (InvalidProtocolBufferException notOurs) {
          // Another writer's key that merely starts like ours.
        }
      }
      cursor = page.getCursorAsBytes();
    } while (!java.util.Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
    return keys;
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
