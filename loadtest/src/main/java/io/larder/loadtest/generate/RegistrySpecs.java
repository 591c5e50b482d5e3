package io.larder.loadtest.generate;

import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry definitions matching the generated data, so the gateway can serve it: one INT64
 * entity and the feature tables keyed by it. The batch source is a placeholder file URL: nothing
 * ingests from it, the generator writes Redis directly.
 */
final class RegistrySpecs {

  private RegistrySpecs() {}

  static ApplyEntityRequest entity(BenchmarkShape shape) {
    return ApplyEntityRequest.newBuilder()
        .setProject(shape.project())
        .setSpec(
            EntitySpecV2.newBuilder()
                .setName(shape.entityName())
                .setValueType(ValueType.Enum.INT64)
                .setDescription("load-test entity, ids 0.." + (shape.entities() - 1)))
        .build();
  }

  /**
   * @param maxAge the tables' max age; zero means no limit
   */
  static List<ApplyFeatureTableRequest> featureTables(BenchmarkShape shape, Duration maxAge) {
    List<ApplyFeatureTableRequest> requests = new ArrayList<>();
    for (int table = 0; table < shape.tables(); table++) {
      String name = shape.tableName(table);
      FeatureTableSpec.Builder spec =
          FeatureTableSpec.newBuilder()
              .setName(name)
              .addEntities(shape.entityName())
              .putLabels("origin", "larder-loadtest")
              .putLabels(OnlineLayout.LABEL, shape.layout().label())
              .setMaxAge(
                  com.google.protobuf.Duration.newBuilder()
                      .setSeconds(maxAge.getSeconds())
                      .setNanos(maxAge.getNano()))
              .setBatchSource(
                  DataSource.newBuilder()
                      .setType(DataSource.SourceType.BATCH_FILE)
                      .setEventTimestampColumn("event_timestamp")
                      .setFileOptions(
                          DataSource.FileOptions.newBuilder()
                              .setFileFormat(
                                  FileFormat.newBuilder()
                                      .setParquetFormat(
                                          FileFormat.ParquetFormat.getDefaultInstance()))
                              .setFileUrl(
                                  "file:///nonexistent/larder-loadtest/"
                                      + shape.project()
                                      + "/"
                                      + name
                                      + ".parquet")));
      for (int feature = 0; feature < shape.featuresPerTable(); feature++) {
        spec.addFeatures(
            FeatureSpecV2.newBuilder()
                .setName(shape.featureName(feature))
                .setValueType(shape.featureType(feature)));
      }
      requests.add(
          ApplyFeatureTableRequest.newBuilder()
              .setProject(shape.project())
              .setTableSpec(spec)
              .build());
    }
    return requests;
  }
}
