package io.larder.orchestrator.support;

import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Path;

/** Feature-table specs for the ITs: one INT64 entity, a file batch source, optional Kafka. */
public final class Tables {

  private Tables() {}

  /** driver_id → trips (INT64), rating (DOUBLE); batch source {@code file}, event time "ts". */
  public static FeatureTableSpec.Builder drivers(String name, Path file) {
    return FeatureTableSpec.newBuilder()
        .setName(name)
        .addEntities("driver_id")
        .addFeatures(FeatureSpecV2.newBuilder().setName("trips").setValueType(ValueType.Enum.INT64))
        .addFeatures(
            FeatureSpecV2.newBuilder().setName("rating").setValueType(ValueType.Enum.DOUBLE))
        .setBatchSource(
            DataSource.newBuilder()
                .setType(DataSource.SourceType.BATCH_FILE)
                .setEventTimestampColumn("ts")
                .setFileOptions(
                    // No file_format: the jobs read CSV by the .csv suffix, parquet otherwise.
                    DataSource.FileOptions.newBuilder().setFileUrl(file.toUri().toString())));
  }

  /** The same table also fed by JSON messages on a Kafka topic. */
  public static FeatureTableSpec.Builder streamed(String name, Path file, String topic) {
    return drivers(name, file)
        .putLabels("larder.io/stream-format", "json")
        .setStreamSource(
            DataSource.newBuilder()
                .setType(DataSource.SourceType.STREAM_KAFKA)
                .setEventTimestampColumn("ts")
                .setKafkaOptions(
                    DataSource.KafkaOptions.newBuilder()
                        .setBootstrapServers(OrchestratorTestBase.KAFKA)
                        .setTopic(topic)
                        .setMessageFormat(
                            StreamFormat.newBuilder()
                                .setProtoFormat(
                                    StreamFormat.ProtoFormat.newBuilder().setClassPath("json")))));
  }
}
