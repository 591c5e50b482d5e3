package io.larder.sdk.e2e;

import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;

/** The end-to-end suites' tables: keyed by driver_id, a CSV batch source, a JSON Kafka stream. */
final class DriverTables {

  private DriverTables() {}

  /**
   * A table with feature {@code trips} (INT64), read from {@code batchUrl} and, when {@code topic}
   * is not null, from that topic of the stack's Kafka; event time in column {@code event_ts}.
   */
  static FeatureTableSpec.Builder driverTable(String name, String batchUrl, String topic) {
    FeatureTableSpec.Builder table =
        FeatureTableSpec.newBuilder()
            .setName(name)
            .addEntities("driver_id")
            .addFeatures(
                FeatureSpecV2.newBuilder().setName("trips").setValueType(ValueType.Enum.INT64))
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn("event_ts")
                    .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(batchUrl)));
    if (topic != null) {
      table
          .putLabels("larder.io/stream-format", "json")
          .setStreamSource(
              DataSource.newBuilder()
                  .setType(DataSource.SourceType.STREAM_KAFKA)
                  .setEventTimestampColumn("event_ts")
                  .setKafkaOptions(
                      DataSource.KafkaOptions.newBuilder()
                          .setBootstrapServers(LocalServices.KAFKA)
                          .setTopic(topic)));
    }
    return table;
  }
}
