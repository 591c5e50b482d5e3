package io.larder.onlinestore;

import com.google.protobuf.Timestamp;
import io.larder.proto.types.ValueProto.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a writer puts into an entity's hash for one feature-table row. */
public final class OnlineRowWriter {

  private OnlineRowWriter() {}

  /**
   * The HSET fields of one row: each non-null feature value, {@code _ts:<table>} and, when the
   * table has a max age, {@code _ex:<table>}.
   *
   * @param expiry the row's expiry (event time + max age), or null when the table has no max age
   */
  public static Map<byte[], byte[]> fields(
      String table, Map<String, Value> features, Timestamp eventTime, Timestamp expiry) {
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    features.forEach(
        (feature, value) -> {
          if (value != null && value.getValCase() != Value.ValCase.VAL_NOT_SET) {
            fields.put(OnlineStoreKeys.featureField(table, feature), value.toByteArray());
          }
        });
    fields.put(OnlineStoreKeys.timestampField(table), eventTime.toByteArray());
    if (expiry != null) {
      fields.put(OnlineStoreKeys.expiryField(table), expiry.toByteArray());
    }
    return fields;
  }

  /**
   * Fields a newer row with null values must delete (HDEL), so an older value does not survive
   * under a newer timestamp.
   */
  public static List<byte[]> nullFields(String table, Map<String, Value> features) {
    List<byte[]> fields = new ArrayList<>();
    features.forEach(
        (feature, value) -> {
          if (value == null || value.getValCase() == Value.ValCase.VAL_NOT_SET) {
            fields.add(OnlineStoreKeys.featureField(table, feature));
          }
        });
    return fields;
  }
}
