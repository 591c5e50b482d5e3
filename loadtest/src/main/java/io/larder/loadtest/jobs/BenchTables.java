package io.larder.loadtest.jobs;

import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The benchmark's registry definitions and data: one INT64 entity; a batch table read from a CSV
 * the benchmark writes; a stream table fed by JSON messages on a Kafka topic. Source columns carry
 * the feature names, and {@code ts} is the event time (ISO-8601 text).
 */
final class BenchTables {

  static final String ENTITY = "event_key";
  static final String TIMESTAMP = "ts";
  static final String STREAM_FEATURE = "seq";

  /** Every CSV row's event time lies in [BATCH_START, BATCH_END): one ingestion window. */
  static final Instant BATCH_START = Instant.parse("2030-01-01T00:00:00Z");

  static final Instant BATCH_END = Instant.parse("2030-01-08T00:00:00Z");

  private BenchTables() {}

  static ApplyEntityRequest entity(String project) {
    return ApplyEntityRequest.newBuilder()
        .setProject(project)
        .setSpec(
            EntitySpecV2.newBuilder()
                .setName(ENTITY)
                .setValueType(ValueType.Enum.INT64)
                .setDescription("orchestrator benchmark events"))
        .build();
  }

  /** event_key → value (INT64), score (DOUBLE), from {@code csv}. */
  static ApplyFeatureTableRequest batchTable(String project, String name, Path csv) {
    FeatureTableSpec.Builder spec =
        FeatureTableSpec.newBuilder()
            .setName(name)
            .addEntities(ENTITY)
            .putLabels("origin", "larder-orchestrator-bench")
            .addFeatures(feature("value", ValueType.Enum.INT64))
            .addFeatures(feature("score", ValueType.Enum.DOUBLE))
            // No file_format: the jobs read CSV by the .csv suffix.
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn(TIMESTAMP)
                    .setFileOptions(
                        DataSource.FileOptions.newBuilder()
                            .setFileUrl(csv.toAbsolutePath().toUri().toString())));
    return ApplyFeatureTableRequest.newBuilder().setProject(project).setTableSpec(spec).build();
  }

  /**
   * event_key → seq (INT64), from JSON messages on {@code topic} (label {@code
   * larder.io/stream-format: json}, no message_format: the registry stores its placeholder). The
   * batch source is required but never read here.
   */
  static ApplyFeatureTableRequest streamTable(
      String project, String name, String topic, String bootstrapServers) {
    FeatureTableSpec.Builder spec =
        FeatureTableSpec.newBuilder()
            .setName(name)
            .addEntities(ENTITY)
            .putLabels("origin", "larder-orchestrator-bench")
            .putLabels("larder.io/stream-format", "json")
            .addFeatures(feature(STREAM_FEATURE, ValueType.Enum.INT64))
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn(TIMESTAMP)
                    .setFileOptions(
                        DataSource.FileOptions.newBuilder()
                            .setFileUrl(
                                "file:///nonexistent/larder-orchestrator-bench/"
                                    + project
                                    + "/"
                                    + name
                                    + ".parquet")))
            .setStreamSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.STREAM_KAFKA)
                    .setEventTimestampColumn(TIMESTAMP)
                    .setKafkaOptions(
                        DataSource.KafkaOptions.newBuilder()
                            .setBootstrapServers(bootstrapServers)
                            .setTopic(topic)));
    return ApplyFeatureTableRequest.newBuilder().setProject(project).setTableSpec(spec).build();
  }

  /**
   * One stream event: entity {@code key}, feature seq, event time {@code at} as ISO-8601 text with
   * milliseconds. (Epoch seconds with a fraction as a JSON number are rejected as wrong_type: Spark
   * hands the number on as 1.79E9-style text, which the jobs' timestamp parsing does not take.)
   */
  static String event(long key, long seq, Instant at) {
    return String.format(
        Locale.ROOT,
        "{\"%s\":%d,\"%s\":%d,\"%s\":\"%s\"}",
        ENTITY,
        key,
        STREAM_FEATURE,
        seq,
        TIMESTAMP,
        at.truncatedTo(ChronoUnit.MILLIS));
  }

  /** {@code rows} rows, keys 0..rows-1, one second apart from {@link #BATCH_START}. */
  static void writeCsv(Path csv, int rows) throws IOException {
    if (rows > (BATCH_END.getEpochSecond() - BATCH_START.getEpochSecond())) {
      throw new IllegalArgumentException("at most one week of one-second rows: " + rows);
    }
    Files.createDirectories(csv.toAbsolutePath().getParent());
    try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      out.write(ENTITY + ",value,score," + TIMESTAMP + "\n");
      for (int i = 0; i < rows; i++) {
        out.write(
            String.format(
                Locale.ROOT, "%d,%d,%.3f,%s%n", i, i * 7L, i / 1000.0, BATCH_START.plusSeconds(i)));
      }
    }
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }
}
