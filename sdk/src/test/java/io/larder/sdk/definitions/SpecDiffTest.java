package io.larder.sdk.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.DataSourceProto.DataSource.SourceType;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.types.ValueProto.ValueType;
import org.junit.jupiter.api.Test;

class SpecDiffTest {

  private static final FeatureTableSpec DRIVER_TRIPS =
      FeatureTableSpec.newBuilder()
          .setName("driver_trips")
          .addEntities("driver_id")
          .addFeatures(feature("trips_today", ValueType.Enum.INT32))
          .addFeatures(feature("rating", ValueType.Enum.DOUBLE))
          .putLabels("team", "mobility")
          .setMaxAge(Duration.newBuilder().setSeconds(3_600))
          .setBatchSource(
              DataSource.newBuilder()
                  .setType(SourceType.BATCH_FILE)
                  .setEventTimestampColumn("event_timestamp")
                  .setFileOptions(
                      DataSource.FileOptions.newBuilder()
                          .setFileUrl("file:///data/driver_trips")
                          .setFileFormat(
                              FileFormat.newBuilder()
                                  .setParquetFormat(
                                      FileFormat.ParquetFormat.getDefaultInstance()))))
          .build();

  @Test
  void aSpecTheRegistryLacksIsOneNewLine() {
    assertThat(SpecDiff.diff(null, DRIVER_TRIPS))
        .containsExactly("+ feature-table driver_trips (new)");
    assertThat(SpecDiff.diff(null, EntitySpecV2.newBuilder().setName("driver_id").build()))
        .containsExactly("+ entity driver_id (new)");
  }

  @Test
  void anEqualSpecHasNoChanges() {
    assertThat(SpecDiff.diff(DRIVER_TRIPS, DRIVER_TRIPS.toBuilder().build())).isEmpty();
  }

  @Test
  void theOrderOfFeaturesAndEntitiesDoesNotCount() {
    FeatureTableSpec twoEntities = DRIVER_TRIPS.toBuilder().addEntities("city_id").build();
    FeatureTableSpec reordered =
        twoEntities.toBuilder()
            .clearEntities()
            .addEntities("city_id")
            .addEntities("driver_id")
            .clearFeatures()
            .addFeatures(DRIVER_TRIPS.getFeatures(1))
            .addFeatures(DRIVER_TRIPS.getFeatures(0))
            .build();

    assertThat(SpecDiff.diff(twoEntities, reordered)).isEmpty();
  }

  @Test
  void aChangedFeatureTypeNamesTheFeature() {
    FeatureTableSpec wanted =
        DRIVER_TRIPS.toBuilder().setFeatures(1, feature("rating", ValueType.Enum.FLOAT)).build();

    assertThat(SpecDiff.diff(DRIVER_TRIPS, wanted))
        .containsExactly(
            "~ feature-table driver_trips: features[rating].valueType DOUBLE -> FLOAT");
  }

  @Test
  void addedAndRemovedFeaturesAndEntities() {
    FeatureTableSpec wanted =
        DRIVER_TRIPS.toBuilder()
            .removeFeatures(0)
            .addFeatures(
                feature("acc_rate", ValueType.Enum.FLOAT).toBuilder().putLabels("unit", "ratio"))
            .addEntities("city_id")
            .build();

    assertThat(SpecDiff.diff(DRIVER_TRIPS, wanted))
        .containsExactly(
            "+ feature-table driver_trips: entities[city_id]",
            "+ feature-table driver_trips: features[acc_rate] {valueType: FLOAT, labels: {unit:"
                + " ratio}}",
            "- feature-table driver_trips: features[trips_today]");
  }

  @Test
  void aChangedMaxAge() {
    FeatureTableSpec wanted =
        DRIVER_TRIPS.toBuilder().setMaxAge(Duration.newBuilder().setSeconds(7_200)).build();

    assertThat(SpecDiff.diff(DRIVER_TRIPS, wanted))
        .containsExactly("~ feature-table driver_trips: maxAge 3600s -> 7200s");
  }

  @Test
  void labelsChangeEntryByEntry() {
    FeatureTableSpec wanted =
        DRIVER_TRIPS.toBuilder()
            .putLabels("team", "search")
            .putLabels("owner", "Ada Lovelace")
            .build();

    assertThat(SpecDiff.diff(DRIVER_TRIPS, wanted))
        .containsExactly(
            "+ feature-table driver_trips: labels[owner] \"Ada Lovelace\"",
            "~ feature-table driver_trips: labels[team] mobility -> search");
    assertThat(SpecDiff.diff(wanted, DRIVER_TRIPS))
        .containsExactly(
            "- feature-table driver_trips: labels[owner]",
            "~ feature-table driver_trips: labels[team] search -> mobility");
  }

  @Test
  void sourcesChangeFieldByFieldAndASwitchedOptionShowsBoth() {
    FeatureTableSpec wanted =
        DRIVER_TRIPS.toBuilder()
            .setBatchSource(
                DRIVER_TRIPS.getBatchSource().toBuilder()
                    .setType(SourceType.BATCH_BIGQUERY)
                    .setEventTimestampColumn("ts")
                    .setBigqueryOptions(
                        DataSource.BigQueryOptions.newBuilder().setTableRef("p:d.driver_trips")))
            .build();

    assertThat(SpecDiff.diff(DRIVER_TRIPS, wanted))
        .containsExactly(
            "+ feature-table driver_trips: batchSource.bigqueryOptions {tableRef: p:d.driver_trips}",
            "~ feature-table driver_trips: batchSource.eventTimestampColumn event_timestamp -> ts",
            "- feature-table driver_trips: batchSource.fileOptions",
            "~ feature-table driver_trips: batchSource.type BATCH_FILE -> BATCH_BIGQUERY");
  }

  @Test
  void anEntitysDescription() {
    EntitySpecV2 current =
        EntitySpecV2.newBuilder().setName("driver_id").setValueType(ValueType.Enum.INT64).build();

    assertThat(SpecDiff.diff(current, current.toBuilder().setDescription("Driver id").build()))
        .containsExactly("+ entity driver_id: description \"Driver id\"");
  }

  @Test
  void refusesSpecsOfDifferentTypes() {
    assertThatThrownBy(
            () -> SpecDiff.diff(EntitySpecV2.newBuilder().setName("x").build(), DRIVER_TRIPS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feast.core.EntitySpecV2");
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }
}
