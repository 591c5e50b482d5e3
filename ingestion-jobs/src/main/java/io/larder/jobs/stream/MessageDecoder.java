package io.larder.jobs.stream;

import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.udf;

import io.larder.jobs.source.FeatureSource;
import io.larder.jobs.source.SparkTypes;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.MessageFormat;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.avro.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Turns Kafka message values into a struct of the source's columns, or null when a message cannot
 * be decoded (it then becomes a dead letter). JSON and protobuf scalars are read as text and typed
 * later, so a value of the wrong type rejects its row instead of the whole message.
 */
final class MessageDecoder {

  static final String CORRUPT = "_corrupt_record";

  private MessageDecoder() {}

  /** The format the spec asks for, else the one the table's stream source names, else JSON. */
  static MessageFormat formatOf(MessageFormat requested, DataSource stream) {
    if (requested.getFormatCase() != MessageFormat.FormatCase.FORMAT_NOT_SET) {
      return requested;
    }
    StreamFormat format = stream.getKafkaOptions().getMessageFormat();
    return switch (format.getFormatCase()) {
      case AVRO_FORMAT ->
          MessageFormat.newBuilder()
              .setAvro(
                  MessageFormat.Avro.newBuilder()
                      .setSchemaJson(format.getAvroFormat().getSchemaJson()))
              .build();
      case PROTO_FORMAT -> {
        // Feast names a class; Larder reads "<descriptor-set file>:<message name>" there.
        String classPath = format.getProtoFormat().getClassPath();
        int colon = classPath.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException(
              "stream_source.kafka_options.message_format.proto_format.class_path must be"
                  + " '<descriptor-set file>:<message name>', got '"
                  + classPath
                  + "'");
        }
        yield MessageFormat.newBuilder()
            .setProtobuf(
                MessageFormat.Protobuf.newBuilder()
                    .setDescriptorFile(classPath.substring(0, colon))
                    .setMessageName(classPath.substring(colon + 1)))
            .build();
      }
      default ->
          MessageFormat.newBuilder().setJson(MessageFormat.Json.getDefaultInstance()).build();
    };
  }

  /** The decoded struct of {@code value} (binary), null for undecodable messages. */
  static Column decode(
      Column value, MessageFormat format, FeatureTableSpec table, List<EntitySpecV2> entities) {
    DataSource stream = table.getStreamSource();
    return switch (format.getFormatCase()) {
      case AVRO ->
          functions.from_avro(
              value, format.getAvro().getSchemaJson(), Map.of("mode", "PERMISSIVE"));
      case PROTOBUF -> {
        MessageFormat.Protobuf protobuf = format.getProtobuf();
        byte[] descriptors;
        try {
          descriptors = Files.readAllBytes(Path.of(protobuf.getDescriptorFile()));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot read protobuf descriptor set " + protobuf.getDescriptorFile(), e);
        }
        Column json =
            udf(new ProtobufToJson(descriptors, protobuf.getMessageName()), DataTypes.StringType)
                .apply(value);
        yield parsedJson(json, table, stream, entities);
      }
      default -> parsedJson(value.cast(DataTypes.StringType), table, stream, entities);
    };
  }

  private static Column parsedJson(
      Column json, FeatureTableSpec table, DataSource stream, List<EntitySpecV2> entities) {
    Map<String, String> options = new HashMap<>();
    options.put("mode", "PERMISSIVE");
    options.put("columnNameOfCorruptRecord", CORRUPT);
    return from_json(json, jsonSchema(table, stream, entities), options);
  }

  /** Source column names; scalars as text (typed later), lists as typed arrays. */
  static StructType jsonSchema(
      FeatureTableSpec table, DataSource stream, List<EntitySpecV2> entities) {
    Map<String, String> sourceColumnOf = FeatureSource.sourceColumns(stream);
    Map<String, ValueType.Enum> typeOf = new HashMap<>();
    entities.forEach(e -> typeOf.put(e.getName(), e.getValueType()));
    List<StructField> fields = new ArrayList<>();
    for (String entity : table.getEntitiesList()) {
      ValueType.Enum type = typeOf.getOrDefault(entity, ValueType.Enum.STRING);
      fields.add(field(sourceColumnOf.getOrDefault(entity, entity), type));
    }
    for (FeatureSpecV2 feature : table.getFeaturesList()) {
      fields.add(
          field(
              sourceColumnOf.getOrDefault(feature.getName(), feature.getName()),
              feature.getValueType()));
    }
    fields.add(
        DataTypes.createStructField(stream.getEventTimestampColumn(), DataTypes.StringType, true));
    if (!stream.getCreatedTimestampColumn().isBlank()) {
      fields.add(
          DataTypes.createStructField(
              stream.getCreatedTimestampColumn(), DataTypes.StringType, true));
    }
    fields.add(DataTypes.createStructField(CORRUPT, DataTypes.StringType, true));
    return DataTypes.createStructType(fields);
  }

  private static StructField field(String name, ValueType.Enum type) {
    DataType sparkType = SparkTypes.of(type);
    return DataTypes.createStructField(
        name, sparkType instanceof ArrayType ? sparkType : DataTypes.StringType, true);
  }
}
