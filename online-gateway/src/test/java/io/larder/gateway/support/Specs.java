package io.larder.gateway.support;

import io.larder.gateway.featurespec.FeatureSpecSnapshot;
import io.larder.gateway.featurespec.ProjectSpec;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builders for registry specs (valid for the real registry too) and serving requests, shared by the
 * gateway's tests.
 *
 * <pre>{@code
 * FeatureTableSpec trips = Specs.table("driver_trips").entities("driver_id")
 *     .feature("trips_today", ValueType.Enum.INT64).maxAge(Duration.ofHours(1)).build();
 * GetOnlineFeaturesRequestV2 request = Specs.request("p").features("driver_trips:trips_today")
 *     .row(Map.of("driver_id", Specs.int64(1))).build();
 * }</pre>
 */
public final class Specs {

  private Specs() {}

  public static EntitySpecV2 entity(String name, ValueType.Enum type) {
    return EntitySpecV2.newBuilder()
        .setName(name)
        .setValueType(type)
        .setDescription(name + " (test entity)")
        .build();
  }

  public static TableBuilder table(String name) {
    return new TableBuilder(name);
  }

  /** A snapshot of one project, as the spec cache would build it from the registry. */
  public static FeatureSpecSnapshot snapshot(
      String project, List<FeatureTableSpec> tables, List<EntitySpecV2> entities) {
    return FeatureSpecSnapshot.of(List.of(ProjectSpec.of(project, tables, entities)));
  }

  public static FeatureSpecSnapshot snapshot(ProjectSpec... projects) {
    return FeatureSpecSnapshot.of(Arrays.asList(projects));
  }

  /** A feature table spec under construction. */
  public static final class TableBuilder {
    private final FeatureTableSpec.Builder spec;

    private TableBuilder(String name) {
      spec =
          FeatureTableSpec.newBuilder()
              .setName(name)
              .setBatchSource(
                  DataSource.newBuilder()
                      .setType(DataSource.SourceType.BATCH_FILE)
                      .setEventTimestampColumn("event_timestamp")
                      .setFileOptions(
                          DataSource.FileOptions.newBuilder()
                              .setFileUrl("file:///tmp/" + name + ".parquet")
                              .setFileFormat(
                                  FileFormat.newBuilder()
                                      .setParquetFormat(
                                          FileFormat.ParquetFormat.getDefaultInstance()))));
    }

    public TableBuilder entities(String... entities) {
      spec.addAllEntities(Arrays.asList(entities));
      return this;
    }

    public TableBuilder feature(String name, ValueType.Enum type) {
      spec.addFeatures(FeatureSpecV2.newBuilder().setName(name).setValueType(type));
      return this;
    }

    /** Zero (the default) means no limit. */
    public TableBuilder maxAge(Duration maxAge) {
      spec.setMaxAge(
          com.google.protobuf.Duration.newBuilder()
              .setSeconds(maxAge.getSeconds())
              .setNanos(maxAge.getNano()));
      return this;
    }

    public TableBuilder label(String key, String value) {
      spec.putLabels(key, value);
      return this;
    }

    public FeatureTableSpec build() {
      return spec.build();
    }
  }

  public static RequestBuilder request(String project) {
    return new RequestBuilder(project);
  }

  /** A GetOnlineFeaturesRequestV2 under construction. */
  public static final class RequestBuilder {
    private final GetOnlineFeaturesRequestV2.Builder request;

    private RequestBuilder(String project) {
      request = GetOnlineFeaturesRequestV2.newBuilder().setProject(project);
    }

    /** References written {@code table:feature}. */
    public RequestBuilder features(String... references) {
      for (String reference : references) {
        request.addFeatures(ref(reference));
      }
      return this;
    }

    public RequestBuilder row(Map<String, Value> fields) {
      request.addEntityRows(EntityRow.newBuilder().putAllFields(fields));
      return this;
    }

    /** A row judged for max age as of {@code asOf} instead of the receive time. */
    public RequestBuilder row(Map<String, Value> fields, Instant asOf) {
      request.addEntityRows(
          EntityRow.newBuilder().putAllFields(fields).setTimestamp(timestamp(asOf)));
      return this;
    }

    public GetOnlineFeaturesRequestV2 build() {
      return request.build();
    }
  }

  public static FeatureReferenceV2 ref(String reference) {
    int colon = reference.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected table:feature, got " + reference);
    }
    return FeatureReferenceV2.newBuilder()
        .setFeatureTable(reference.substring(0, colon))
        .setName(reference.substring(colon + 1))
        .build();
  }

  public static com.google.protobuf.Timestamp timestamp(Instant time) {
    return com.google.protobuf.Timestamp.newBuilder()
        .setSeconds(time.getEpochSecond())
        .setNanos(time.getNano())
        .build();
  }

  public static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  public static Value int32(int value) {
    return Value.newBuilder().setInt32Val(value).build();
  }

  public static Value string(String value) {
    return Value.newBuilder().setStringVal(value).build();
  }

  public static Value float64(double value) {
    return Value.newBuilder().setDoubleVal(value).build();
  }
}
