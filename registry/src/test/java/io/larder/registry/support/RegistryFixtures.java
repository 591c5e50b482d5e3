package io.larder.registry.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.CoreServiceProto.GetEntityRequest;
import io.larder.proto.core.CoreServiceProto.GetFeatureTableRequest;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataFormatProto.FileFormat.ParquetFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat;
import io.larder.proto.core.DataFormatProto.StreamFormat.ProtoFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.FileOptions;
import io.larder.proto.core.DataSourceProto.DataSource.KafkaOptions;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.RegistryExtProto.Change;
import io.larder.proto.larder.RegistryExtProto.ListChangesRequest;
import io.larder.proto.larder.RegistryExtProto.ListChangesResponse;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Small, obvious builders for registry specs and requests, plus gRPC error assertions. */
public final class RegistryFixtures {

  /** The batch sources' (and matching stream sources') event timestamp column. */
  public static final String EVENT_TIMESTAMP = "event_timestamp";

  private RegistryFixtures() {}

  /** A fresh lowercase suffix; every test uses its own names because the database is shared. */
  public static String suffix() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** A project name no other test uses, e.g. {@code p_1a2b3c4d5e6f}. */
  public static String uniqueProject() {
    return "p_" + suffix();
  }

  /** A name no other test uses, e.g. {@code driver_1a2b3c4d5e6f}. */
  public static String uniqueName(String prefix) {
    return prefix + "_" + suffix();
  }

  public static EntitySpecV2 entity(String name, ValueType.Enum type) {
    return EntitySpecV2.newBuilder()
        .setName(name)
        .setValueType(type)
        .setDescription("the " + name)
        .build();
  }

  public static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  /** A parquet BATCH_FILE source with event_timestamp_column "event_timestamp". */
  public static DataSource fileSource(String fileUrl) {
    return DataSource.newBuilder()
        .setType(SourceType.BATCH_FILE)
        .setEventTimestampColumn(EVENT_TIMESTAMP)
        .setFileOptions(
            FileOptions.newBuilder()
                .setFileFormat(
                    FileFormat.newBuilder().setParquetFormat(ParquetFormat.getDefaultInstance()))
                .setFileUrl(fileUrl))
        .build();
  }

  /**
   * A STREAM_KAFKA source (proto records) with the same fields as {@link #fileSource}: event
   * timestamp column "event_timestamp", no field mapping, no created timestamp column.
   */
  public static DataSource kafkaSource(String topic) {
    return DataSource.newBuilder()
        .setType(SourceType.STREAM_KAFKA)
        .setEventTimestampColumn(EVENT_TIMESTAMP)
        .setKafkaOptions(
            KafkaOptions.newBuilder()
                .setBootstrapServers("127.0.0.1:9092")
                .setTopic(topic)
                .setMessageFormat(
                    StreamFormat.newBuilder()
                        .setProtoFormat(
                            ProtoFormat.newBuilder().setClassPath("com.example.DriverStats"))))
        .build();
  }

  /** A valid table spec: the given entities and features, max_age 1 h, a parquet batch source. */
  public static FeatureTableSpec table(
      String name, List<String> entities, FeatureSpecV2... features) {
    return FeatureTableSpec.newBuilder()
        .setName(name)
        .addAllEntities(entities)
        .addAllFeatures(List.of(features))
        .setMaxAge(Duration.newBuilder().setSeconds(3600))
        .setBatchSource(fileSource("file:///data/" + name + ".parquet"))
        .build();
  }

  /** {@link #table(String, List, FeatureSpecV2...)} keyed by one entity. */
  public static FeatureTableSpec table(String name, String entity, FeatureSpecV2... features) {
    return table(name, List.of(entity), features);
  }

  public static ApplyEntityRequest applyEntity(String project, EntitySpecV2 spec) {
    return ApplyEntityRequest.newBuilder().setProject(project).setSpec(spec).build();
  }

  public static ApplyFeatureTableRequest applyTable(String project, FeatureTableSpec spec) {
    return ApplyFeatureTableRequest.newBuilder().setProject(project).setTableSpec(spec).build();
  }

  public static GetEntityRequest getEntity(String project, String name) {
    return GetEntityRequest.newBuilder().setProject(project).setName(name).build();
  }

  public static GetFeatureTableRequest getTable(String project, String name) {
    return GetFeatureTableRequest.newBuilder().setProject(project).setName(name).build();
  }

  /**
   * The newest change sequence of the whole registry (read before a scripted sequence of writes).
   */
  public static long latestSequence(GrpcClients clients) {
    return clients
        .ext()
        .listChanges(ListChangesRequest.newBuilder().setSinceSequence(0).setLimit(1).build())
        .getLatestSequence();
  }

  /**
   * Every change after {@code since} (paging through ListChanges with the largest page) that
   * belongs to {@code project}, in sequence order.
   */
  public static List<Change> changesOf(GrpcClients clients, String project, long since) {
    List<Change> mine = new ArrayList<>();
    long after = since;
    for (int page = 0; page < 1000; page++) {
      ListChangesResponse response =
          clients
              .ext()
              .listChanges(
                  ListChangesRequest.newBuilder().setSinceSequence(after).setLimit(1000).build());
      if (response.getChangesCount() == 0) {
        return mine;
      }
      for (Change change : response.getChangesList()) {
        assertThat(change.getSequence()).as("sequences ascend").isGreaterThan(after);
        after = change.getSequence();
        if (change.getProject().equals(project)) {
          mine.add(change);
        }
      }
    }
    throw new AssertionError("more than 1000 pages of changes after " + since);
  }

  public static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /**
   * Asserts that {@code call} fails with a gRPC status of {@code code} whose description contains
   * every one of {@code fragments}.
   */
  public static void assertStatus(ThrowingCallable call, Status.Code code, String... fragments) {
    assertThatThrownBy(call).satisfies(error -> assertStatusOf(error, code, fragments));
  }

  /** Asserts that {@code error} carries a gRPC status of {@code code} naming {@code fragments}. */
  public static void assertStatusOf(Throwable error, Status.Code code, String... fragments) {
    Status status = Status.fromThrowable(error);
    assertThat(status.getCode()).as("status code of %s", error).isEqualTo(code);
    assertThat(status.getDescription()).as("status description").isNotNull().contains(fragments);
  }
}
