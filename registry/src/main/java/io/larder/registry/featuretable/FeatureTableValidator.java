package io.larder.registry.featuretable;

import io.larder.proto.core.DataFormatProto.StreamFormat.FormatCase;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.registry.Names;
import io.larder.registry.RegistryException;
import io.larder.registry.ValueTypes;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The rules a feature-table spec must meet on its own (entity existence is checked in the store). A
 * valid spec is stored as {@link StreamFormatLabel#normalize} makes it.
 */
final class FeatureTableValidator {

  private FeatureTableValidator() {}

  static void validate(FeatureTableSpec spec) {
    Names.checkName("table_spec.name", spec.getName());
    // Read first: an unknown format is the root cause of any stream-source complaint below.
    Optional<StreamFormatLabel> streamFormat = StreamFormatLabel.of(spec);
    OnlineLayoutLabel.of(spec);
    checkEntities(spec);
    checkFeatures(spec);
    if (spec.hasMaxAge()
        && (spec.getMaxAge().getSeconds() < 0 || spec.getMaxAge().getNanos() < 0)) {
      throw RegistryException.invalid(
          "table_spec.max_age: must not be negative, got %ss", spec.getMaxAge().getSeconds());
    }
    if (!spec.hasBatchSource()) {
      throw RegistryException.invalid("table_spec.batch_source: is required");
    }
    checkBatchSource(spec.getBatchSource());
    if (spec.hasStreamSource()) {
      checkStreamSource(
          spec.getStreamSource(),
          spec.getBatchSource(),
          streamFormat.orElse(null) == StreamFormatLabel.JSON);
    }
    streamFormat.ifPresent(label -> label.checkFits(spec));
  }

  private static void checkEntities(FeatureTableSpec spec) {
    if (spec.getEntitiesCount() == 0) {
      throw RegistryException.invalid("table_spec.entities: at least one entity is required");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.getEntitiesCount(); i++) {
      String entity = spec.getEntities(i);
      Names.checkColumnName("table_spec.entities[" + i + "]", entity);
      if (!seen.add(entity)) {
        throw RegistryException.invalid("table_spec.entities[%d]: '%s' is listed twice", i, entity);
      }
    }
  }

  private static void checkFeatures(FeatureTableSpec spec) {
    if (spec.getFeaturesCount() == 0) {
      throw RegistryException.invalid("table_spec.features: at least one feature is required");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.getFeaturesCount(); i++) {
      FeatureSpecV2 feature = spec.getFeatures(i);
      String field = "table_spec.features[" + i + "]";
      Names.checkColumnName(field + ".name", feature.getName());
      if (!seen.add(feature.getName())) {
        throw RegistryException.invalid("%s.name: '%s' is duplicated", field, feature.getName());
      }
      if (spec.getEntitiesList().contains(feature.getName())) {
        throw RegistryException.invalid(
            "%s.name: '%s' is also an entity of the table", field, feature.getName());
      }
      ValueTypes.check(field + ".value_type", feature.getValueTypeValue());
    }
  }

  private static void checkBatchSource(DataSource source) {
    String field = "table_spec.batch_source";
    switch (source.getType()) {
      case BATCH_FILE -> {
        if (!source.hasFileOptions() || source.getFileOptions().getFileUrl().isEmpty()) {
          throw RegistryException.invalid("%s.file_options.file_url: is required", field);
        }
      }
      case BATCH_BIGQUERY -> {
        if (!source.hasBigqueryOptions() || source.getBigqueryOptions().getTableRef().isEmpty()) {
          throw RegistryException.invalid("%s.bigquery_options.table_ref: is required", field);
        }
      }
      default ->
          throw RegistryException.invalid(
              "%s.type: must be BATCH_FILE or BATCH_BIGQUERY, got %s", field, source.getType());
    }
    if (source.getEventTimestampColumn().isEmpty()) {
      throw RegistryException.invalid("%s.event_timestamp_column: is required", field);
    }
  }

  private static void checkStreamSource(DataSource stream, DataSource batch, boolean json) {
    String field = "table_spec.stream_source";
    if (stream.getType() == SourceType.STREAM_KAFKA) {
      var kafka = stream.getKafkaOptions();
      if (!stream.hasKafkaOptions()
          || kafka.getBootstrapServers().isEmpty()
          || kafka.getTopic().isEmpty()) {
        throw RegistryException.invalid(
            "%s.kafka_options: bootstrap_servers and topic are required", field);
      }
      // JSON has no StreamFormat in Feast 0.9; StreamFormatLabel.normalize fills a placeholder.
      if (!json && kafka.getMessageFormat().getFormatCase() == FormatCase.FORMAT_NOT_SET) {
        throw RegistryException.invalid(
            "%s.kafka_options.message_format: is required unless label %s is 'json'",
            field, StreamFormatLabel.KEY);
      }
    } else if (stream.getType() == SourceType.STREAM_KINESIS) {
      var kinesis = stream.getKinesisOptions();
      if (!stream.hasKinesisOptions()
          || kinesis.getRegion().isEmpty()
          || kinesis.getStreamName().isEmpty()) {
        throw RegistryException.invalid(
            "%s.kinesis_options: region and stream_name are required", field);
      }
    } else {
      throw RegistryException.invalid(
          "%s.type: must be STREAM_KAFKA or STREAM_KINESIS, got %s", field, stream.getType());
    }
    // Stream and batch rows land in the same table, so they must describe the same columns.
    if (!stream.getFieldMappingMap().equals(batch.getFieldMappingMap())) {
      throw RegistryException.invalid(
          "%s.field_mapping: must equal batch_source.field_mapping", field);
    }
    if (!stream.getEventTimestampColumn().equals(batch.getEventTimestampColumn())) {
      throw RegistryException.invalid(
          "%s.event_timestamp_column: must equal batch_source.event_timestamp_column ('%s')",
          field, batch.getEventTimestampColumn());
    }
    if (!stream.getCreatedTimestampColumn().equals(batch.getCreatedTimestampColumn())) {
      throw RegistryException.invalid(
          "%s.created_timestamp_column: must equal batch_source.created_timestamp_column ('%s')",
          field, batch.getCreatedTimestampColumn());
    }
  }
}
