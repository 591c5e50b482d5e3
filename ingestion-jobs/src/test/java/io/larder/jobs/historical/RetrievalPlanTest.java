package io.larder.jobs.historical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.larder.jobs.historical.RetrievalPlan.KeyGroup;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.EntitySource;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalPlanTest {

  private static final EntitySpecV2 DRIVER = entity("driver", ValueType.Enum.INT64);
  private static final EntitySpecV2 CUSTOMER = entity("customer", ValueType.Enum.STRING);

  private static final FeatureTableSpec DRIVER_STATS =
      table("driver_stats", List.of("driver"), "trips", "rating").toBuilder()
          .setMaxAge(Duration.newBuilder().setSeconds(3600).setNanos(1_500))
          .build();
  private static final FeatureTableSpec DRIVER_SAFETY =
      table("driver_safety", List.of("driver"), "incidents");
  private static final FeatureTableSpec PAIR =
      table("pair", List.of("driver", "customer"), "rides");
  private static final FeatureTableSpec PAIR_REVERSED =
      table("pair_reversed", List.of("customer", "driver"), "tips");

  private static HistoricalRetrievalSpec.Builder valid() {
    return HistoricalRetrievalSpec.newBuilder()
        .addAllTables(List.of(DRIVER_STATS, DRIVER_SAFETY, PAIR, PAIR_REVERSED))
        .addAllEntities(List.of(DRIVER, CUSTOMER))
        .setEntitySource(EntitySource.newBuilder().setPath("/in/entities.csv"))
        .setOutputPath("/out/training")
        .addFeatures("pair:rides")
        .addFeatures("driver_stats:rating")
        .addFeatures("pair_reversed:tips")
        .addFeatures("driver_safety:incidents")
        .addFeatures("driver_stats:trips");
  }

  @Test
  void groupsTablesByEntitySetWhateverTheKeyOrder() {
    RetrievalPlan plan = RetrievalPlan.of(valid().build());

    assertThat(plan.groups())
        .extracting(KeyGroup::keys)
        .containsExactly(List.of("customer", "driver"), List.of("driver"));
    assertThat(plan.groups().get(0).tables())
        .extracting(request -> request.table().getName())
        .containsExactly("pair", "pair_reversed");
    assertThat(plan.groups().get(1).tables())
        .extracting(request -> request.table().getName())
        .containsExactly("driver_stats", "driver_safety");
    assertThat(plan.entityNames()).containsExactly("customer", "driver");
  }

  @Test
  void keepsRequestOrderAndNamesOutputsTableDoubleUnderscoreFeature() {
    RetrievalPlan plan = RetrievalPlan.of(valid().build());

    assertThat(plan.outputColumns())
        .containsExactly(
            "pair__rides",
            "driver_stats__rating",
            "pair_reversed__tips",
            "driver_safety__incidents",
            "driver_stats__trips");
  }

  @Test
  void maxAgeIsInMicrosecondsAndZeroWhenUnset() {
    RetrievalPlan plan = RetrievalPlan.of(valid().build());

    assertThat(plan.groups().get(1).tables())
        .extracting(RetrievalPlan.TableRequest::maxAgeMicros)
        .containsExactly(3_600_000_001L, 0L);
  }

  @Test
  void tableFileFormatComesFromTheSpecMap() {
    RetrievalPlan plan =
        RetrievalPlan.of(valid().putTableFileFormats("pair", FileFormatOverride.CSV).build());

    assertThat(plan.groups().get(0).tables())
        .extracting(RetrievalPlan.TableRequest::format)
        .containsExactly(FileFormatOverride.CSV, FileFormatOverride.FILE_FORMAT_FROM_SOURCE);
  }

  @Test
  void knownAsOfIsAnInstant() {
    RetrievalPlan plan =
        RetrievalPlan.of(
            valid().setKnownAsOf(Timestamp.newBuilder().setSeconds(100).setNanos(7_000)).build());

    assertThat(plan.knownAsOf()).hasToString("1970-01-01T00:01:40.000007Z");
    assertThat(plan.knownAsOfEntityTime()).isFalse();
  }

  @Test
  void refusesBadSpecsNamingTheField() {
    assertRefused(valid().clearOutputPath(), "output_path is required");
    assertRefused(valid().clearEntitySource(), "entity_source.path is required");
    assertRefused(
        valid().setKnownAsOf(Timestamp.newBuilder().setSeconds(1)).setKnownAsOfEntityTime(true),
        "known_as_of and known_as_of_entity_time are exclusive");
    assertRefused(valid().clearFeatures(), "features: at least one");
    assertRefused(valid().addFeatures("driver_stats.trips"), "\"driver_stats.trips\" is not a");
    assertRefused(valid().addFeatures("driver_stats:"), "\"driver_stats:\" is not a");
    assertRefused(valid().addFeatures("a:b:c"), "\"a:b:c\" is not a");
    assertRefused(valid().addFeatures("driver_stats:trips"), "requested twice");
    assertRefused(
        valid().addFeatures("nope:trips"), "names table \"nope\", which is not in tables");
    assertRefused(
        valid().addFeatures("driver_stats:speed"),
        "table \"driver_stats\" has no feature \"speed\"");
    assertRefused(
        valid().clearEntities().addEntities(DRIVER),
        "table \"pair\" is keyed by \"customer\", which has no entity spec");
    assertRefused(valid().addTables(DRIVER_SAFETY), "\"driver_safety\" given twice");
  }

  @Test
  void checksTheEntitySourceColumns() {
    RetrievalPlan plan = RetrievalPlan.of(valid().build());

    assertThatThrownBy(
            () -> plan.checkEntityColumns(List.of("driver", "customer"), "entity_source"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entity_source: no \"event_timestamp\" column");
    assertThatThrownBy(
            () -> plan.checkEntityColumns(List.of("driver", "event_timestamp"), "entity_source"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no column for entity \"customer\"");
    assertThatThrownBy(
            () ->
                plan.checkEntityColumns(
                    List.of("driver", "customer", "event_timestamp", "pair__rides"),
                    "entity_source"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"pair__rides\" clashes");
    // The join adds no columns of its own: any other entity-source column is kept as it is.
    plan.checkEntityColumns(
        List.of("label", "_pit_kind", "driver", "customer", "event_timestamp"), "entity_source");
  }

  private static void assertRefused(HistoricalRetrievalSpec.Builder spec, String message) {
    assertThatThrownBy(() -> RetrievalPlan.of(spec.build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  private static EntitySpecV2 entity(String name, ValueType.Enum type) {
    return EntitySpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  private static FeatureTableSpec table(String name, List<String> entities, String... features) {
    FeatureTableSpec.Builder table = FeatureTableSpec.newBuilder().setName(name);
    table.addAllEntities(entities);
    for (String feature : features) {
      table.addFeatures(
          FeatureSpecV2.newBuilder().setName(feature).setValueType(ValueType.Enum.INT64));
    }
    return table.build();
  }
}
