package io.larder.registry.featuretable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.RegistryException;
import io.larder.registry.RegistryException.Reason;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class FeatureTableValidatorTest {

  private static final DataSource BATCH =
      DataSource.newBuilder()
          .setType(SourceType.BATCH_FILE)
          .setEventTimestampColumn("event_timestamp")
          .putFieldMapping("trips_raw", "trips")
          .setFileOptions(
              DataSource.FileOptions.newBuilder()
                  .setFileUrl("file:///data/driver_stats")
                  .setFileFormat(
                      FileFormat.newBuilder()
                          .setParquetFormat(FileFormat.ParquetFormat.getDefaultInstance())))
          .build();

  private static final DataSource STREAM =
      DataSource.newBuilder()
          .setType(SourceType.STREAM_KAFKA)
          .setEventTimestampColumn("event_timestamp")
          .putFieldMapping("trips_raw", "trips")
          .setKafkaOptions(
              DataSource.KafkaOptions.newBuilder()
                  .setBootstrapServers("127.0.0.1:9092")
                  .setTopic("driver_stats")
                  .setMessageFormat(
                      StreamFormat.newBuilder()
                          .setAvroFormat(StreamFormat.AvroFormat.newBuilder().setSchemaJson("{}"))))
          .build();

  private static FeatureTableSpec valid() {
    return FeatureTableSpec.newBuilder()
        .setName("driver_stats")
        .addEntities("driver_id")
        .addFeatures(feature("trips", ValueType.Enum.INT64))
        .addFeatures(feature("rating", ValueType.Enum.DOUBLE))
        .setMaxAge(Duration.newBuilder().setSeconds(3600))
        .setBatchSource(BATCH)
        .setStreamSource(STREAM)
        .build();
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  private static void assertRefused(
      UnaryOperator<FeatureTableSpec.Builder> change, String messageFragment) {
    FeatureTableSpec spec = change.apply(valid().toBuilder()).build();
    assertThatThrownBy(() -> FeatureTableValidator.validate(spec))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(messageFragment)
        .satisfies(
            error ->
                assertThat(((RegistryException) error).reason())
                    .isEqualTo(Reason.INVALID_ARGUMENT));
  }

  @Test
  void acceptsAFullSpec() {
    assertThatCode(() -> FeatureTableValidator.validate(valid())).doesNotThrowAnyException();
  }

  @Test
  void refusesBadNames() {
    assertRefused(spec -> spec.setName("Driver-Stats"), "table_spec.name");
    assertRefused(spec -> spec.setFeatures(0, feature("1trips", ValueType.Enum.INT64)), "1trips");
    assertRefused(
        spec -> spec.setFeatures(0, feature("event_timestamp", ValueType.Enum.INT64)), "reserved");
    assertRefused(spec -> spec.setEntities(0, "job_id"), "reserved");
  }

  @Test
  void refusesDuplicateFeaturesAndClashesWithEntities() {
    assertRefused(
        spec -> spec.setFeatures(1, feature("trips", ValueType.Enum.INT64)), "duplicated");
    assertRefused(
        spec -> spec.addFeatures(feature("driver_id", ValueType.Enum.INT64)), "also an entity");
    assertRefused(spec -> spec.addEntities("driver_id"), "listed twice");
  }

  @Test
  void refusesMissingPartsAndInvalidTypes() {
    assertRefused(FeatureTableSpec.Builder::clearEntities, "table_spec.entities");
    assertRefused(FeatureTableSpec.Builder::clearFeatures, "table_spec.features");
    assertRefused(FeatureTableSpec.Builder::clearBatchSource, "table_spec.batch_source");
    assertRefused(
        spec -> spec.setFeatures(0, feature("trips", ValueType.Enum.INVALID)), "value_type");
    assertRefused(
        spec -> spec.setFeatures(0, spec.getFeatures(0).toBuilder().setValueTypeValue(99).build()),
        "99");
    assertRefused(spec -> spec.setMaxAge(Duration.newBuilder().setSeconds(-1)), "max_age");
  }

  @Test
  void refusesIncompleteSources() {
    assertRefused(
        spec -> spec.setBatchSource(BATCH.toBuilder().setType(SourceType.STREAM_KAFKA)),
        "batch_source.type");
    assertRefused(
        spec -> spec.setBatchSource(BATCH.toBuilder().clearEventTimestampColumn()),
        "event_timestamp_column");
    assertRefused(spec -> spec.setBatchSource(BATCH.toBuilder().clearFileOptions()), "file_url");
    assertRefused(
        spec ->
            spec.setStreamSource(
                STREAM.toBuilder()
                    .setKafkaOptions(STREAM.getKafkaOptions().toBuilder().clearTopic())),
        "kafka_options");
  }

  @Test
  void streamSourceMustDescribeTheSameFieldsAsTheBatchSource() {
    assertRefused(
        spec -> spec.setStreamSource(STREAM.toBuilder().putFieldMapping("other", "x")),
        "field_mapping");
    assertRefused(
        spec -> spec.setStreamSource(STREAM.toBuilder().setEventTimestampColumn("ts")),
        "stream_source.event_timestamp_column");
  }

  @Test
  void streamFormatLabelAcceptsOnlyJsonAvroOrProtobuf() {
    for (String value : new String[] {"JSON", "xml", "", "avro "}) {
      assertRefused(
          spec -> spec.putLabels("larder.io/stream-format", value),
          "table_spec.labels[larder.io/stream-format]: must be one of json, avro, protobuf, got '"
              + value
              + "'");
    }
    assertRefused(
        spec ->
            spec.putLabels("larder.io/stream-format", "xml")
                .setStreamSource(withMessageFormat(null)),
        "must be one of json, avro, protobuf, got 'xml'");
  }

  @Test
  void streamFormatLabelNeedsAStreamSource() {
    assertRefused(
        spec -> spec.clearStreamSource().putLabels("larder.io/stream-format", "json"),
        "table_spec.labels[larder.io/stream-format]: only a table with a stream_source");
  }

  @Test
  void jsonStreamFormatLabelMakesMessageFormatOptional() {
    FeatureTableSpec jsonWithoutFormat =
        valid().toBuilder()
            .putLabels("larder.io/stream-format", "json")
            .setStreamSource(withMessageFormat(null))
            .build();

    assertThatCode(() -> FeatureTableValidator.validate(jsonWithoutFormat))
        .doesNotThrowAnyException();
    assertRefused(
        spec -> spec.setStreamSource(withMessageFormat(null)),
        "table_spec.stream_source.kafka_options.message_format: is required");
    assertRefused(
        spec ->
            spec.putLabels("larder.io/stream-format", "avro")
                .setStreamSource(withMessageFormat(null)),
        "kafka_options.message_format: is required");
  }

  @Test
  void jsonStreamFormatLabelAcceptsAnExplicitMessageFormat() {
    FeatureTableSpec jsonWithAvroFormat =
        valid().toBuilder().putLabels("larder.io/stream-format", "json").build();

    assertThatCode(() -> FeatureTableValidator.validate(jsonWithAvroFormat))
        .doesNotThrowAnyException();
  }

  @Test
  void avroAndProtobufStreamFormatLabelsMustAgreeWithTheMessageFormat() {
    StreamFormat proto =
        StreamFormat.newBuilder()
            .setProtoFormat(StreamFormat.ProtoFormat.newBuilder().setClassPath("com.example.T"))
            .build();

    assertThatCode(
            () ->
                FeatureTableValidator.validate(
                    valid().toBuilder().putLabels("larder.io/stream-format", "avro").build()))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                FeatureTableValidator.validate(
                    valid().toBuilder()
                        .putLabels("larder.io/stream-format", "protobuf")
                        .setStreamSource(withMessageFormat(proto))
                        .build()))
        .doesNotThrowAnyException();
    assertRefused(
        spec -> spec.putLabels("larder.io/stream-format", "protobuf"),
        "table_spec.labels[larder.io/stream-format]: 'protobuf' needs"
            + " table_spec.stream_source.kafka_options.message_format to be proto_format,"
            + " got avro_format");
    assertRefused(
        spec ->
            spec.putLabels("larder.io/stream-format", "avro")
                .setStreamSource(withMessageFormat(proto)),
        "'avro' needs table_spec.stream_source.kafka_options.message_format to be avro_format");
  }

  @Test
  void streamFormatLabelAgreesWithTheRecordFormatOfAKinesisSource() {
    DataSource kinesis =
        STREAM.toBuilder()
            .setType(SourceType.STREAM_KINESIS)
            .setKinesisOptions(
                DataSource.KinesisOptions.newBuilder()
                    .setRegion("eu-west-1")
                    .setStreamName("driver_stats")
                    .setRecordFormat(STREAM.getKafkaOptions().getMessageFormat()))
            .build();

    assertThatCode(
            () ->
                FeatureTableValidator.validate(
                    valid().toBuilder()
                        .putLabels("larder.io/stream-format", "avro")
                        .setStreamSource(kinesis)
                        .build()))
        .doesNotThrowAnyException();
    assertRefused(
        spec -> spec.putLabels("larder.io/stream-format", "protobuf").setStreamSource(kinesis),
        "kinesis_options.record_format to be proto_format");
  }

  /** {@link #STREAM} with the given message_format; null clears it. */
  private static DataSource withMessageFormat(StreamFormat format) {
    DataSource.KafkaOptions.Builder kafka = STREAM.getKafkaOptions().toBuilder();
    if (format == null) {
      kafka.clearMessageFormat();
    } else {
      kafka.setMessageFormat(format);
    }
    return STREAM.toBuilder().setKafkaOptions(kafka).build();
  }

  @Test
  void hashIgnoresMapOrderButSeesEveryChange() {
    FeatureTableSpec labelsOneWay =
        valid().toBuilder().putLabels("a", "1").putLabels("b", "2").build();
    FeatureTableSpec labelsOtherWay =
        valid().toBuilder().putLabels("b", "2").putLabels("a", "1").build();

    assertThat(SpecHash.of(labelsOneWay)).isEqualTo(SpecHash.of(labelsOtherWay)).hasSize(64);
    assertThat(SpecHash.of(labelsOneWay)).isNotEqualTo(SpecHash.of(valid()));
  }
}
