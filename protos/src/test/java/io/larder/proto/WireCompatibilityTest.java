package io.larder.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.StringList;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Pins the Feast 0.9 wire format: bytes written by hand with the field numbers of Feast's public
 * protos parse into our classes, and our classes write exactly those bytes.
 */
class WireCompatibilityTest {

  /** Writes raw protobuf fields, the way a Feast 0.9 client would put them on the wire. */
  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] raw(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    fields.write(out);
    out.flush();
    return bytes.toByteArray();
  }

  /** A map<string, V> entry: key = 1, value = 2. */
  private static byte[] mapEntry(String key, byte[] messageValue) throws IOException {
    return raw(
        out -> {
          out.writeString(1, key);
          out.writeByteArray(2, messageValue);
        });
  }

  private static byte[] int64Value(long value) throws IOException {
    return raw(out -> out.writeInt64(4, value));
  }

  @Test
  void valueScalarsAndListsUseFeastFieldNumbers() throws IOException {
    assertThat(
            Value.parseFrom(
                    raw(out -> out.writeBytes(1, com.google.protobuf.ByteString.copyFromUtf8("b"))))
                .getBytesVal()
                .toStringUtf8())
        .isEqualTo("b");
    assertThat(Value.parseFrom(raw(out -> out.writeString(2, "s"))).getStringVal()).isEqualTo("s");
    assertThat(Value.parseFrom(raw(out -> out.writeInt32(3, -7))).getInt32Val()).isEqualTo(-7);
    assertThat(Value.parseFrom(int64Value(1L << 40)).getInt64Val()).isEqualTo(1L << 40);
    assertThat(Value.parseFrom(raw(out -> out.writeDouble(5, 2.5))).getDoubleVal()).isEqualTo(2.5);
    assertThat(Value.parseFrom(raw(out -> out.writeFloat(6, 1.5f))).getFloatVal()).isEqualTo(1.5f);
    assertThat(Value.parseFrom(raw(out -> out.writeBool(7, true))).getBoolVal()).isTrue();

    byte[] stringList =
        raw(
            out ->
                out.writeByteArray(
                    12,
                    raw(
                        list -> {
                          list.writeString(1, "a");
                          list.writeString(1, "b");
                        })));
    Value parsed = Value.parseFrom(stringList);
    assertThat(parsed.getValCase()).isEqualTo(Value.ValCase.STRING_LIST_VAL);
    assertThat(parsed.getStringListVal().getValList()).containsExactly("a", "b");

    // Packed repeated int64 (proto3's default) under int64_list_val = 14.
    byte[] int64List =
        raw(
            out ->
                out.writeByteArray(
                    14,
                    raw(
                        list -> {
                          list.writeTag(1, 2);
                          list.writeUInt32NoTag(
                              CodedOutputStream.computeInt64SizeNoTag(1)
                                  + CodedOutputStream.computeInt64SizeNoTag(300));
                          list.writeInt64NoTag(1);
                          list.writeInt64NoTag(300);
                        })));
    assertThat(Value.parseFrom(int64List).getInt64ListVal().getValList()).containsExactly(1L, 300L);
  }

  @Test
  void valueWritesTheBytesFeastWrites() throws IOException {
    assertThat(Value.newBuilder().setInt64Val(1L << 40).build().toByteArray())
        .isEqualTo(int64Value(1L << 40));
    assertThat(
            Value.newBuilder()
                .setStringListVal(StringList.newBuilder().addVal("a").addVal("b"))
                .build()
                .toByteArray())
        .isEqualTo(
            raw(
                out ->
                    out.writeByteArray(
                        12,
                        raw(
                            list -> {
                              list.writeString(1, "a");
                              list.writeString(1, "b");
                            }))));
    assertThat(ValueType.Enum.INT64.getNumber()).isEqualTo(4);
    assertThat(ValueType.Enum.STRING_LIST.getNumber()).isEqualTo(12);
    assertThat(ValueType.Enum.BOOL_LIST.getNumber()).isEqualTo(17);
  }

  @Test
  void redisKeyIsProjectSortedEntityNamesAndValues() throws IOException {
    byte[] wire =
        raw(
            out -> {
              out.writeString(1, "default");
              out.writeString(2, "customer_id");
              out.writeString(2, "driver_id");
              out.writeByteArray(3, int64Value(7));
              out.writeByteArray(3, raw(v -> v.writeString(2, "d-1")));
            });

    RedisKeyV2 key = RedisKeyV2.parseFrom(wire);

    assertThat(key.getProject()).isEqualTo("default");
    assertThat(key.getEntityNamesList()).containsExactly("customer_id", "driver_id");
    assertThat(key.getEntityValuesList())
        .containsExactly(
            Value.newBuilder().setInt64Val(7).build(),
            Value.newBuilder().setStringVal("d-1").build());
    // The key is the Redis key itself, so our bytes must equal Feast's to the byte.
    assertThat(key.toByteArray()).isEqualTo(wire);
  }

  @Test
  void featureTableSpecUsesFeastFieldNumbers() throws IOException {
    byte[] feature =
        raw(
            out -> {
              out.writeString(1, "trips_today");
              out.writeEnum(2, ValueType.Enum.INT32_VALUE);
            });
    byte[] fileOptions =
        raw(
            out -> {
              out.writeByteArray(1, raw(format -> format.writeByteArray(1, new byte[0])));
              out.writeString(2, "file:///data/driver_stats.parquet");
            });
    byte[] batchSource =
        raw(
            out -> {
              out.writeEnum(1, SourceType.BATCH_FILE_VALUE);
              out.writeByteArray(
                  2,
                  raw(
                      e -> {
                        e.writeString(1, "trips");
                        e.writeString(2, "trips_today");
                      }));
              out.writeString(3, "event_ts");
              out.writeString(4, "dt");
              out.writeString(5, "created_ts");
              out.writeByteArray(11, fileOptions);
            });
    byte[] kafkaOptions =
        raw(
            out -> {
              out.writeString(1, "127.0.0.1:9092");
              out.writeString(2, "driver_trips");
              out.writeByteArray(
                  3,
                  raw(format -> format.writeByteArray(1, raw(avro -> avro.writeString(1, "{}")))));
            });
    byte[] streamSource =
        raw(
            out -> {
              out.writeEnum(1, SourceType.STREAM_KAFKA_VALUE);
              out.writeString(3, "event_ts");
              out.writeByteArray(13, kafkaOptions);
            });
    byte[] wire =
        raw(
            out -> {
              out.writeString(1, "driver_stats");
              out.writeString(3, "driver_id");
              out.writeByteArray(4, feature);
              out.writeByteArray(
                  5,
                  raw(
                      e -> {
                        e.writeString(1, "team");
                        e.writeString(2, "ml");
                      }));
              out.writeByteArray(
                  6,
                  raw(
                      d -> {
                        d.writeInt64(1, 3600);
                        d.writeInt32(2, 5);
                      }));
              out.writeByteArray(7, batchSource);
              out.writeByteArray(8, streamSource);
            });

    FeatureTableSpec spec = FeatureTableSpec.parseFrom(wire);

    assertThat(spec.getName()).isEqualTo("driver_stats");
    assertThat(spec.getEntitiesList()).containsExactly("driver_id");
    assertThat(spec.getFeaturesList())
        .containsExactly(
            FeatureSpecV2.newBuilder()
                .setName("trips_today")
                .setValueType(ValueType.Enum.INT32)
                .build());
    assertThat(spec.getLabelsMap()).containsEntry("team", "ml");
    assertThat(spec.getMaxAge())
        .isEqualTo(Duration.newBuilder().setSeconds(3600).setNanos(5).build());
    DataSource batch = spec.getBatchSource();
    assertThat(batch.getType()).isEqualTo(SourceType.BATCH_FILE);
    assertThat(batch.getFieldMappingMap()).containsEntry("trips", "trips_today");
    assertThat(batch.getEventTimestampColumn()).isEqualTo("event_ts");
    assertThat(batch.getDatePartitionColumn()).isEqualTo("dt");
    assertThat(batch.getCreatedTimestampColumn()).isEqualTo("created_ts");
    assertThat(batch.getFileOptions().getFileUrl()).isEqualTo("file:///data/driver_stats.parquet");
    assertThat(batch.getFileOptions().getFileFormat().getFormatCase())
        .isEqualTo(FileFormat.FormatCase.PARQUET_FORMAT);
    DataSource stream = spec.getStreamSource();
    assertThat(stream.getType()).isEqualTo(SourceType.STREAM_KAFKA);
    assertThat(stream.getKafkaOptions().getBootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(stream.getKafkaOptions().getTopic()).isEqualTo("driver_trips");
    assertThat(stream.getKafkaOptions().getMessageFormat().getAvroFormat().getSchemaJson())
        .isEqualTo("{}");
    // One label only, so the map's wire order is fixed and the bytes must match.
    assertThat(spec.toByteArray()).isEqualTo(wire);
  }

  @Test
  void onlineFeaturesRequestAndResponseUseFeastFieldNumbers() throws IOException {
    byte[] row =
        raw(
            out -> {
              out.writeByteArray(1, raw(ts -> ts.writeInt64(1, 1_600_000_000L)));
              out.writeByteArray(2, mapEntry("driver_id", int64Value(1001)));
            });
    byte[] wire =
        raw(
            out -> {
              out.writeByteArray(2, row);
              out.writeByteArray(
                  4,
                  raw(
                      ref -> {
                        ref.writeString(1, "driver_stats");
                        ref.writeString(2, "trips_today");
                      }));
              out.writeString(5, "rides");
            });

    GetOnlineFeaturesRequestV2 request = GetOnlineFeaturesRequestV2.parseFrom(wire);

    assertThat(request.getProject()).isEqualTo("rides");
    assertThat(request.getFeaturesList())
        .containsExactly(
            FeatureReferenceV2.newBuilder()
                .setFeatureTable("driver_stats")
                .setName("trips_today")
                .build());
    assertThat(request.getEntityRows(0).getTimestamp())
        .isEqualTo(Timestamp.newBuilder().setSeconds(1_600_000_000L).build());
    assertThat(request.getEntityRows(0).getFieldsMap())
        .containsEntry("driver_id", Value.newBuilder().setInt64Val(1001).build());
    assertThat(request.toByteArray()).isEqualTo(wire);

    byte[] fieldValues =
        raw(
            out -> {
              out.writeByteArray(1, mapEntry("driver_stats:trips_today", int64Value(5)));
              out.writeByteArray(
                  2,
                  raw(
                      e -> {
                        e.writeString(1, "driver_stats:trips_today");
                        e.writeEnum(2, GetOnlineFeaturesResponse.FieldStatus.OUTSIDE_MAX_AGE_VALUE);
                      }));
            });
    GetOnlineFeaturesResponse response =
        GetOnlineFeaturesResponse.parseFrom(raw(out -> out.writeByteArray(1, fieldValues)));

    assertThat(response.getFieldValues(0).getFieldsMap())
        .containsEntry("driver_stats:trips_today", Value.newBuilder().setInt64Val(5).build());
    assertThat(response.getFieldValues(0).getStatusesMap())
        .containsEntry(
            "driver_stats:trips_today", GetOnlineFeaturesResponse.FieldStatus.OUTSIDE_MAX_AGE);
    assertThat(GetOnlineFeaturesResponse.FieldStatus.PRESENT_VALUE).isEqualTo(1);
    assertThat(GetOnlineFeaturesResponse.FieldStatus.NULL_VALUE_VALUE).isEqualTo(2);
    assertThat(GetOnlineFeaturesResponse.FieldStatus.NOT_FOUND_VALUE).isEqualTo(3);
  }

  @Test
  void jobServiceMessagesUseFeastFieldNumbers() throws IOException {
    byte[] startTime = raw(out -> out.writeInt64(1, 1_893_456_000L));
    byte[] job =
        raw(
            out -> {
              out.writeString(1, "batch-1");
              out.writeEnum(2, 1); // BATCH_INGESTION_JOB
              out.writeEnum(3, 3); // JOB_STATUS_DONE
              out.writeString(4, "abc");
              out.writeByteArray(5, startTime);
              out.writeByteArray(7, raw(meta -> meta.writeString(1, "driver_trips")));
              out.writeString(9, "file:///log");
            });
    io.larder.proto.core.JobServiceProto.Job parsed =
        io.larder.proto.core.JobServiceProto.Job.parseFrom(job);
    assertThat(parsed.getId()).isEqualTo("batch-1");
    assertThat(parsed.getType())
        .isEqualTo(io.larder.proto.core.JobServiceProto.JobType.BATCH_INGESTION_JOB);
    assertThat(parsed.getStatus())
        .isEqualTo(io.larder.proto.core.JobServiceProto.JobStatus.JOB_STATUS_DONE);
    assertThat(parsed.getHash()).isEqualTo("abc");
    assertThat(parsed.getStartTime().getSeconds()).isEqualTo(1_893_456_000L);
    assertThat(parsed.getBatchIngestion().getTableName()).isEqualTo("driver_trips");
    assertThat(parsed.getLogUri()).isEqualTo("file:///log");
    assertThat(parsed.toByteArray()).isEqualTo(job);

    byte[] retrieval =
        raw(out -> out.writeByteArray(6, raw(meta -> meta.writeString(1, "file:///out"))));
    assertThat(
            io.larder.proto.core.JobServiceProto.Job.parseFrom(retrieval)
                .getRetrieval()
                .getOutputLocation())
        .isEqualTo("file:///out");
    byte[] stream = raw(out -> out.writeByteArray(8, raw(meta -> meta.writeString(1, "t"))));
    assertThat(
            io.larder.proto.core.JobServiceProto.Job.parseFrom(stream)
                .getStreamIngestion()
                .getTableName())
        .isEqualTo("t");

    byte[] historical =
        raw(
            out -> {
              out.writeString(1, "t:f");
              out.writeByteArray(
                  2,
                  raw(
                      source -> {
                        source.writeEnum(1, 1); // BATCH_FILE
                        source.writeByteArray(11, raw(file -> file.writeString(2, "/e.csv")));
                      }));
              out.writeString(3, "p");
              out.writeString(4, "/out");
              out.writeString(5, "parquet");
            });
    var request =
        io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesRequest.parseFrom(historical);
    assertThat(request.getFeatureRefsList()).containsExactly("t:f");
    assertThat(request.getEntitySource().getFileOptions().getFileUrl()).isEqualTo("/e.csv");
    assertThat(request.getProject()).isEqualTo("p");
    assertThat(request.getOutputLocation()).isEqualTo("/out");
    assertThat(request.getOutputFormat()).isEqualTo("parquet");
    assertThat(request.toByteArray()).isEqualTo(historical);

    byte[] batch =
        raw(
            out -> {
              out.writeString(1, "p");
              out.writeString(2, "t");
              out.writeByteArray(3, startTime);
              out.writeByteArray(4, startTime);
            });
    var start =
        io.larder.proto.core.JobServiceProto.StartOfflineToOnlineIngestionJobRequest.parseFrom(
            batch);
    assertThat(start.getTableName()).isEqualTo("t");
    assertThat(start.getEndDate().getSeconds()).isEqualTo(1_893_456_000L);
    byte[] list =
        raw(
            out -> {
              out.writeBool(1, true);
              out.writeString(2, "t");
            });
    var listJobs = io.larder.proto.core.JobServiceProto.ListJobsRequest.parseFrom(list);
    assertThat(listJobs.getIncludeTerminated()).isTrue();
    assertThat(listJobs.getTableName()).isEqualTo("t");
    byte[] response =
        raw(
            out -> {
              out.writeString(1, "id");
              out.writeString(2, "file:///out/id");
              out.writeByteArray(3, startTime);
              out.writeString(4, "file:///log");
            });
    assertThat(
            io.larder.proto.core.JobServiceProto.GetHistoricalFeaturesResponse.parseFrom(response)
                .toByteArray())
        .isEqualTo(response);
  }
}
