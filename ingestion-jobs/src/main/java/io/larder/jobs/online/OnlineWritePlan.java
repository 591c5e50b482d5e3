package io.larder.jobs.online;

import com.google.protobuf.Timestamp;
import io.larder.jobs.source.SparkTypes;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import redis.clients.jedis.UnifiedJedis;

/**
 * Everything an executor needs to write one table's newest rows: plain serializable values, so a
 * Spark closure captures no driver-side object. Rows are laid out as {@link
 * OnlineIngestion#newestPerEntity}: entities, event time, created time, features, row count.
 */
record OnlineWritePlan(
    String project,
    String table,
    List<String> entityNames,
    List<ValueType.Enum> entityTypes,
    List<String> featureNames,
    List<ValueType.Enum> featureTypes,
    long maxAgeSeconds,
    int maxAgeNanos,
    OnlineLayout layout,
    RedisAccess redis,
    int pipelineSize)
    implements Serializable {

  OnlineWritePlan {
    entityNames = List.copyOf(entityNames);
    entityTypes = List.copyOf(entityTypes);
    featureNames = List.copyOf(featureNames);
    featureTypes = List.copyOf(featureTypes);
  }

  /** Entities per script call on a standalone server (a cluster call's keys must share a slot). */
  static final int STANDALONE_ENTITIES_PER_CALL = 16;

  int eventTimeIndex() {
    return entityNames.size();
  }

  int firstFeatureIndex() {
    return entityNames.size() + 2;
  }

  int rowCountIndex() {
    return firstFeatureIndex() + featureNames.size();
  }

  /** Writes one partition; answers {written, notNewer}, in-batch duplicates counted as notNewer. */
  Iterator<long[]> writePartition(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      // Empty shuffle partitions open no connection.
      return List.of(new long[] {0, 0}).iterator();
    }
    long duplicates = 0;
    boolean packed = layout == OnlineLayout.PACKED;
    byte[] packedPrefix = PackedRows.keyPrefix(table);
    int[] featureIds = featureIds();
    try (UnifiedJedis connection = RedisConnections.open(redis);
        PipelinedScriptWriter writer =
            new PipelinedScriptWriter(
                connection,
                packed ? NewestWinsScript.PACKED : NewestWinsScript.HASH,
                pipelineSize,
                redis.cluster() ? 1 : STANDALONE_ENTITIES_PER_CALL)) {
      while (rows.hasNext()) {
        Row row = rows.next();
        duplicates += row.getLong(rowCountIndex()) - 1;
        if (packed) {
          writer.write(PackedRows.key(packedPrefix, entityKey(row)), packedArgs(row, featureIds));
        } else {
          writer.write(entityKey(row), scriptArgs(row));
        }
      }
      writer.flush();
      return List.of(new long[] {writer.written(), writer.notNewer() + duplicates}).iterator();
    }
  }

  byte[] entityKey(Row row) {
    Map<String, Value> entities = new LinkedHashMap<>();
    for (int i = 0; i < entityNames.size(); i++) {
      entities.put(entityNames.get(i), SparkTypes.toValue(row, i, entityTypes.get(i)));
    }
    return OnlineStoreKeys.entityKey(project, entities);
  }

  /** Packed-row ids of the features, in {@link #featureNames} order. */
  int[] featureIds() {
    return featureNames.stream().mapToInt(name -> PackedRows.featureId(table, name)).toArray();
  }

  /** The packed script's ARGV (see packed-newest-wins.lua): the PackedRow and its expiry. */
  List<byte[]> packedArgs(Row row, int[] featureIds) {
    List<Value> values = new ArrayList<>(featureNames.size());
    for (int i = 0; i < featureNames.size(); i++) {
      values.add(SparkTypes.toValue(row, firstFeatureIndex() + i, featureTypes.get(i)));
    }
    Instant eventTime = instant(row.get(eventTimeIndex()));
    return NewestWinsScript.packedRowArgs(
        PackedRows.row(timestamp(eventTime), featureIds, values),
        expires() ? eventTime.plusSeconds(maxAgeSeconds).plusNanos(maxAgeNanos) : null);
  }

  private boolean expires() {
    return maxAgeSeconds > 0 || maxAgeNanos > 0;
  }

  /** The script's ARGV (see newest-wins.lua). */
  List<byte[]> scriptArgs(Row row) {
    Map<String, Value> features = new LinkedHashMap<>();
    for (int i = 0; i < featureNames.size(); i++) {
      features.put(
          featureNames.get(i),
          SparkTypes.toValue(row, firstFeatureIndex() + i, featureTypes.get(i)));
    }
    Instant eventTime = instant(row.get(eventTimeIndex()));
    Timestamp expiry =
        expires() ? timestamp(eventTime.plusSeconds(maxAgeSeconds).plusNanos(maxAgeNanos)) : null;
    return NewestWinsScript.hashRowArgs(table, features, timestamp(eventTime), expiry);
  }

  private static Instant instant(Object sparkTimestamp) {
    if (sparkTimestamp instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    if (sparkTimestamp instanceof Instant instant) {
      return instant;
    }
    throw new IllegalStateException("event_timestamp is not a timestamp: " + sparkTimestamp);
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
