package io.larder.jobs.online;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.PackedProto.PackedFeature;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Copies one feature table's online rows from one layout into the other, newest-wins through the
 * ingestion scripts (so rows ingested meanwhile in the target layout are never replaced by older
 * ones, and a second pass only adds what changed), and removes the source layout's rows once the
 * table reads from the target. The groundwork of the orchestrator's layout migration; standalone
 * Redis only (a Cluster is scanned node by node, not built yet).
 */
public final class LayoutCopy {

  /**
   * What a pass did.
   *
   * @param rowsFound source rows of the table
   * @param rowsWritten rows written into the target layout
   * @param rowsNotNewer rows the target already held at the same or a newer event time
   */
  public record Counts(long rowsFound, long rowsWritten, long rowsNotNewer) {}

  private static final int SCAN_COUNT = 1000;

  private final String project;
  private final FeatureTableSpec table;
  private final RedisAccess redis;
  private final int pipelineSize;
  private final byte[] timestampField;
  private final byte[] expiryField;
  private final List<String> featureNames;
  private final byte[][] featureFields;
  private final Map<Integer, String> featureOfId = new HashMap<>();
  private final List<String> sortedEntities;

  public LayoutCopy(String project, FeatureTableSpec table, RedisTarget target) {
    if (target.getCluster()) {
      throw new IllegalArgumentException(
          "copying a table's rows between layouts on a Redis Cluster is not supported yet");
    }
    this.project = project;
    this.table = table;
    this.redis = RedisAccess.of(target);
    this.pipelineSize =
        target.getPipelineSize() > 0
            ? target.getPipelineSize()
            : OnlineIngestion.DEFAULT_PIPELINE_SIZE;
    this.timestampField = OnlineStoreKeys.timestampField(table.getName());
    this.expiryField = OnlineStoreKeys.expiryField(table.getName());
    this.featureNames = table.getFeaturesList().stream().map(FeatureSpecV2::getName).toList();
    this.featureFields = new byte[featureNames.size()][];
    for (int f = 0; f < featureNames.size(); f++) {
      featureFields[f] = OnlineStoreKeys.featureField(table.getName(), featureNames.get(f));
      featureOfId.put(
          PackedRows.featureId(table.getName(), featureNames.get(f)), featureNames.get(f));
    }
    this.sortedEntities = table.getEntitiesList().stream().sorted().toList();
  }

  /** Writes every stored row of the table in {@code from} into {@code to}, newest-wins. */
  public Counts copy(OnlineLayout from, OnlineLayout to) {
    if (from == to) {
      throw new IllegalArgumentException("the table is already in the " + to.label() + " layout");
    }
    try (UnifiedJedis connection = RedisConnections.open(redis);
        PipelinedScriptWriter writer =
            new PipelinedScriptWriter(
                connection,
                to == OnlineLayout.PACKED ? NewestWinsScript.PACKED : NewestWinsScript.HASH,
                pipelineSize,
                OnlineWritePlan.STANDALONE_ENTITIES_PER_CALL)) {
      long[] found = {0};
      if (from == OnlineLayout.HASH) {
        scan(
            connection,
            hashPattern(),
            keys -> found[0] += hashesToPacked(connection, keys, writer));
      } else {
        scan(
            connection,
            packedPattern(),
            keys -> found[0] += packedToHashes(connection, keys, writer));
      }
      writer.flush();
      return new Counts(found[0], writer.written(), writer.notNewer());
    }
  }

  /** Removes the table's rows in {@code layout}: its fields from the hashes, or its packed keys. */
  public long removeRows(OnlineLayout layout) {
    long[] removed = {0};
    try (UnifiedJedis connection = RedisConnections.open(redis)) {
      if (layout == OnlineLayout.HASH) {
        byte[][] fields = new byte[featureFields.length + 2][];
        System.arraycopy(featureFields, 0, fields, 0, featureFields.length);
        fields[featureFields.length] = timestampField;
        fields[featureFields.length + 1] = expiryField;
        scan(
            connection,
            hashPattern(),
            keys -> {
              try (AbstractPipeline pipeline = connection.pipelined()) {
                List<Response<Long>> replies = new ArrayList<>();
                for (byte[] key : keys) {
                  if (isTableKey(key)) {
                    replies.add(pipeline.hdel(key, fields));
                  }
                }
                pipeline.sync();
                replies.forEach(reply -> removed[0] += reply.get() > 0 ? 1 : 0);
              }
            });
      } else {
        scan(
            connection,
            packedPattern(),
            keys -> removed[0] += keys.isEmpty() ? 0 : connection.del(keys.toArray(byte[][]::new)));
      }
    }
    return removed[0];
  }

  private long hashesToPacked(
      UnifiedJedis connection, List<byte[]> keys, PipelinedScriptWriter writer) {
    List<byte[]> tableKeys = keys.stream().filter(this::isTableKey).toList();
    List<Response<List<byte[]>>> replies = new ArrayList<>(tableKeys.size());
    byte[][] fields = new byte[featureFields.length + 2][];
    fields[0] = timestampField;
    fields[1] = expiryField;
    System.arraycopy(featureFields, 0, fields, 2, featureFields.length);
    try (AbstractPipeline pipeline = connection.pipelined()) {
      for (byte[] key : tableKeys) {
        replies.add(pipeline.hmget(key, fields));
      }
      pipeline.sync();
    }
    byte[] prefix = PackedRows.keyPrefix(table.getName());
    long found = 0;
    for (int k = 0; k < tableKeys.size(); k++) {
      List<byte[]> stored = replies.get(k).get();
      Timestamp eventTime = timestamp(stored.get(0));
      if (eventTime == null) {
        continue; // the entity has no row of this table
      }
      found++;
      Map<String, Value> features = new LinkedHashMap<>();
      for (int f = 0; f < featureNames.size(); f++) {
        features.put(featureNames.get(f), value(stored.get(2 + f)));
      }
      Timestamp expiry = timestamp(stored.get(1));
      writer.write(
          PackedRows.key(prefix, tableKeys.get(k)),
          NewestWinsScript.packedRowArgs(
              PackedRows.row(table.getName(), eventTime, features),
              expiry == null
                  ? null
                  : java.time.Instant.ofEpochSecond(expiry.getSeconds(), expiry.getNanos())));
    }
    return found;
  }

  private long packedToHashes(
      UnifiedJedis connection, List<byte[]> keys, PipelinedScriptWriter writer) {
    List<Response<byte[]>> rows = new ArrayList<>(keys.size());
    List<Response<Long>> expiries = new ArrayList<>(keys.size());
    try (AbstractPipeline pipeline = connection.pipelined()) {
      for (byte[] key : keys) {
        rows.add(pipeline.get(key));
        expiries.add(pipeline.expireTime(key));
      }
      pipeline.sync();
    }
    int prefix = PackedRows.keyPrefix(table.getName()).length;
    long found = 0;
    for (int k = 0; k < keys.size(); k++) {
      byte[] stored = rows.get(k).get();
      PackedRow row;
      try {
        row = stored == null ? null : PackedRow.parseFrom(stored);
      } catch (InvalidProtocolBufferException notARow) {
        row = null;
      }
      if (row == null || !row.hasEventTimestamp()) {
        continue;
      }
      found++;
      Map<String, Value> features = new LinkedHashMap<>();
      featureNames.forEach(name -> features.put(name, null));
      for (PackedFeature feature : row.getFeaturesList()) {
        String name = featureOfId.get(feature.getId());
        if (name != null) {
          features.put(name, feature.getValue());
        }
      }
      long expiresAt = expiries.get(k).get();
      Timestamp expiry =
          expiresAt > 0 ? Timestamp.newBuilder().setSeconds(expiresAt).build() : null;
      writer.write(
          Arrays.copyOfRange(keys.get(k), prefix, keys.get(k).length),
          NewestWinsScript.hashRowArgs(table.getName(), features, row.getEventTimestamp(), expiry));
    }
    return found;
  }

  /** Whether a hash key of the project is keyed by exactly this table's entities. */
  private boolean isTableKey(byte[] key) {
    try {
      RedisKeyV2 parsed = RedisKeyV2.parseFrom(key);
      return parsed.getProject().equals(project)
          && parsed.getEntityNamesList().equals(sortedEntities);
    } catch (InvalidProtocolBufferException notOurs) {
      return false;
    }
  }

  /** The project's hash keys: RedisKeyV2 starts with field 1, its length, the project's bytes. */
  private byte[] hashPattern() {
    return globPrefix(projectKeyPrefix());
  }

  /** The table's packed keys in the project. */
  private byte[] packedPattern() {
    return globPrefix(PackedRows.key(PackedRows.keyPrefix(table.getName()), projectKeyPrefix()));
  }

  private byte[] projectKeyPrefix() {
    byte[] name = project.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = new byte[name.length + 2];
    prefix[0] = 0x0a;
    prefix[1] = (byte) name.length; // project names are at most 64 characters: one varint byte
    System.arraycopy(name, 0, prefix, 2, name.length);
    return prefix;
  }

  /** {@code prefix*} with the glob's special bytes in the prefix escaped. */
  private static byte[] globPrefix(byte[] prefix) {
    java.io.ByteArrayOutputStream pattern = new java.io.ByteArrayOutputStream(prefix.length + 4);
    for (byte b : prefix) {
      if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
        pattern.write('\\');
      }
      pattern.write(b);
    }
    pattern.write('*');
    return pattern.toByteArray();
  }

  private static void scan(
      UnifiedJedis connection, byte[] pattern, java.util.function.Consumer<List<byte[]>> page) {
    ScanParams params = new ScanParams().match(pattern).count(SCAN_COUNT);
    byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
    do {
      ScanResult<byte[]> result = connection.scan(cursor, params);
      page.accept(result.getResult());
      cursor = result.getCursorAsBytes();
    } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
  }

  private static Timestamp timestamp(byte[] stored) {
    if (stored == null) {
      return null;
    }
    try {
      return Timestamp.parseFrom(stored);
    } catch (InvalidProtocolBufferException notATimestamp) {
      return null;
    }
  }

  private static Value value(byte[] stored) {
    if (stored == null) {
      return null;
    }
    try {
      return Value.parseFrom(stored);
    } catch (InvalidProtocolBufferException notAValue) {
      return null;
    }
  }
}
