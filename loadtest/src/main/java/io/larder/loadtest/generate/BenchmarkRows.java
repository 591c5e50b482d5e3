package io.larder.loadtest.generate;

import com.google.protobuf.Timestamp;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.proto.types.ValueProto.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/** The hash fields of one generated entity: every table's row, through the shared encoding. */
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
}
