package io.larder.onlinestore;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names in the online store (see shared ONLINE_STORE_LAYOUT.md): one Redis hash per project and
 * entity key, one field per feature, one timestamp and one expiry field per feature table.
 */
public final class OnlineStoreKeys {

  private static final HashFunction MURMUR3_32 = Hashing.murmur3_32_fixed();
  private static final byte[] TIMESTAMP_PREFIX = "_ts:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EXPIRY_PREFIX = "_ex:".getBytes(StandardCharsets.US_ASCII);

  private OnlineStoreKeys() {}

  /** The hash's key: a serialized RedisKeyV2 with the entity names sorted. */
  public static byte[] entityKey(String project, Map<String, Value> entityValues) {
    return entityKeyMessage(project, entityValues).toByteArray();
  }

  public static RedisKeyV2 entityKeyMessage(String project, Map<String, Value> entityValues) {
    RedisKeyV2.Builder key = RedisKeyV2.newBuilder().setProject(project);
    new TreeMap<>(entityValues)
        .forEach(
            (name, value) -> {
              key.addEntityNames(name);
              key.addEntityValues(value);
            });
    return key.build();
  }

  /**
   * A feature's field: murmur3 x86 32-bit (seed 0) of {@code table:feature}, little-endian, as
   * Feast 0.9 wrote it.
   */
  public static byte[] featureField(String table, String feature) {
    return murmur3(table + ":" + feature);
  }

  static byte[] murmur3(String text) {
    return MURMUR3_32.hashString(text, StandardCharsets.UTF_8).asBytes();
  }

  /** The table's event-timestamp field, {@code _ts:<table>}. */
  public static byte[] timestampField(String table) {
    return prefixed(TIMESTAMP_PREFIX, table);
  }

  /** The table's expiry field, {@code _ex:<table>}. */
  public static byte[] expiryField(String table) {
    return prefixed(EXPIRY_PREFIX, table);
  }

  private static byte[] prefixed(byte[] prefix, String table) {
    byte[] name = table.getBytes(StandardCharsets.UTF_8);
    byte[] field = new byte[prefix.length + name.length];
    System.arraycopy(prefix, 0, field, 0, prefix.length);
    System.arraycopy(name, 0, field, prefix.length, name.length);
    return field;
  }
}
