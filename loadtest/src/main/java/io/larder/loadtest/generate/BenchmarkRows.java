package io.larder.loadtest.generate;

import com.google.protobuf.Timestamp;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.types.ValueProto.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One generated entity's rows, through the shared encoding: every table's hash fields, or every
 * table's packed row.
 */
final class BenchmarkRows {

  private BenchmarkRows() {}

  /**
   * @param expiry event time + the tables' max age, or null when they have none
   */
  static Map<byte[], byte[]> fields(
      BenchmarkShape shape, long entityId, Timestamp eventTime, Timestamp expiry) {
    Map<byte[], byte[]> fields = new LinkedHashMap<>();
    for (int table = 0; table < shape.tables(); table++) {
      Map<String, Value> features = new LinkedHashMap<>();
      for (int feature = 0; feature < shape.featuresPerTable(); feature++) {
        features.put(shape.featureName(feature), shape.featureValue(entityId, table, feature));
      }
      fields.putAll(OnlineRowWriter.fields(shape.tableName(table), features, eventTime, expiry));
    }
    return fields;
  }

  /** Per table (by index), the serialized PackedRow of the entity. */
  static byte[][] packedRows(BenchmarkShape shape, long entityId, Timestamp eventTime) {
    byte[][] rows = new byte[shape.tables()][];
    for (int table = 0; table < shape.tables(); table++) {
      int[] ids = new int[shape.featuresPerTable()];
      List<Value> values = new ArrayList<>(ids.length);
      for (int feature = 0; feature < ids.length; feature++) {
        ids[feature] = PackedRows.featureId(shape.tableName(table), shape.featureName(feature));
        values.add(shape.featureValue(entityId, table, feature));
      }
      rows[table] = PackedRows.row(eventTime, ids, values);
    }
    return rows;
  }
}
