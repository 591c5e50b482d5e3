package io.larder.registry.featuretable;

import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat.FormatCase;
import io.larder.proto.core.DataFormatProto.StreamFormat.ProtoFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.registry.RegistryException;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The table label {@code larder.io/stream-format}: how the stream source's messages are encoded.
 * Feast 0.9's {@code StreamFormat} knows only Avro and protobuf, so JSON lives in a label that
 * Feast clients carry along without reading, and the format field gets a placeholder they can
 * parse.
 */
enum StreamFormatLabel {
  JSON("json", null),
  AVRO("avro", FormatCase.AVRO_FORMAT),
  PROTOBUF("protobuf", FormatCase.PROTO_FORMAT);

  static final String KEY = "larder.io/stream-format";

  /**
   * What a JSON stream source without a format is stored with: Feast 0.9's Python SDK fails to read
   * a Kafka source whose message_format is unset, and "json" passes Feast Core's class-path check.
   */
  static final StreamFormat JSON_PLACEHOLDER =
      StreamFormat.newBuilder()
          .setProtoFormat(ProtoFormat.newBuilder().setClassPath("json"))
          .build();

  private static final String FIELD = "table_spec.labels[" + KEY + "]";

  private final String value;

  /** The format field case this label requires; null when any (or none) will do. */
  private final FormatCase requiredFormat;

  StreamFormatLabel(String value, FormatCase requiredFormat) {
    this.value = value;
    this.requiredFormat = requiredFormat;
  }

  /** The table's label, if it carries one; refuses a value that is not a known format. */
  static Optional<StreamFormatLabel> of(FeatureTableSpec spec) {
    String value = spec.getLabelsMap().get(KEY);
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(
        Arrays.stream(values())
            .filter(label -> label.value.equals(value))
            .findFirst()
            .orElseThrow(
                () ->
                    RegistryException.invalid(
                        "%s: must be one of %s, got '%s'",
                        FIELD,
                        Arrays.stream(values())
                            .map(label -> label.value)
                            .collect(Collectors.joining(", ")),
                        value)));
  }

  /** Refuses this label on a table without a stream source or one whose format contradicts it. */
  void checkFits(FeatureTableSpec spec) {
    if (!spec.hasStreamSource()) {
      throw RegistryException.invalid("%s: only a table with a stream_source may carry it", FIELD);
    }
    FormatCase actual = formatOf(spec.getStreamSource()).getFormatCase();
    if (requiredFormat != null && actual != requiredFormat) {
      throw RegistryException.invalid(
          "%s: '%s' needs table_spec.stream_source.%s to be %s, got %s",
          FIELD,
          value,
          formatFieldOf(spec.getStreamSource()),
          requiredFormat.name().toLowerCase(),
          actual == FormatCase.FORMAT_NOT_SET ? "none" : actual.name().toLowerCase());
    }
  }

  /**
   * The spec as it is stored and hashed: a JSON stream source without a format gets {@link
   * #JSON_PLACEHOLDER}, so re-applying the spec as written is a no-op. Expects a validated spec.
   */
  static FeatureTableSpec normalize(FeatureTableSpec spec) {
    if (of(spec).orElse(null) != JSON
        || !spec.hasStreamSource()
        || formatOf(spec.getStreamSource()).getFormatCase() != FormatCase.FORMAT_NOT_SET) {
      return spec;
    }
    DataSource stream = spec.getStreamSource();
    DataSource.Builder withPlaceholder = stream.toBuilder();
    if (stream.getType() == SourceType.STREAM_KAFKA) {
      withPlaceholder.setKafkaOptions(
          stream.getKafkaOptions().toBuilder().setMessageFormat(JSON_PLACEHOLDER));
    } else {
      withPlaceholder.setKinesisOptions(
          stream.getKinesisOptions().toBuilder().setRecordFormat(JSON_PLACEHOLDER));
    }
    return spec.toBuilder().setStreamSource(withPlaceholder).build();
  }

  /** Kafka's message_format or Kinesis' record_format (the validator allows no other streams). */
  private static StreamFormat formatOf(DataSource stream) {
    return stream.getType() == SourceType.STREAM_KAFKA
        ? stream.getKafkaOptions().getMessageFormat()
        : stream.getKinesisOptions().getRecordFormat();
  }

  private static String formatFieldOf(DataSource stream) {
    return stream.getType() == SourceType.STREAM_KAFKA
        ? "kafka_options.message_format"
        : "kinesis_options.record_format";
  }
}
