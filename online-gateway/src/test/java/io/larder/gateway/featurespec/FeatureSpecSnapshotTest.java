package io.larder.gateway.featurespec;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeatureSpecSnapshotTest {

  private static final FeatureTableSpec STATS =
      table("driver_stats")
          .entities("driver_id")
          .feature("trips", ValueType.Enum.INT64)
          .feature("rating", ValueType.Enum.DOUBLE)
          .maxAge(Duration.ofSeconds(90, 5))
          .build();
  private static final FeatureTableSpec PROFILE =
      table("driver_profile").entities("driver_id").feature("age", ValueType.Enum.INT32).build();
  private static final FeatureTableSpec PAIRS =
      table("pairs")
          .entities("driver_id", "customer_id")
          .feature("rides", ValueType.Enum.INT64)
          .build();
  private static final FeatureTableSpec REVERSED =
      table("reversed")
          .entities("customer_id", "driver_id")
          .feature("rides", ValueType.Enum.INT64)
          .build();

  private final ProjectSpec project =
      ProjectSpec.of(
          "p",
          List.of(STATS, PROFILE, PAIRS, REVERSED),
          List.of(
              entity("driver_id", ValueType.Enum.INT64),
              entity("customer_id", ValueType.Enum.STRING)));

  @Test
  void precomputesFieldsAndResponseKeysOfEveryFeature() {
    TableSpec stats = project.table("driver_stats");

    assertThat(stats.timestampField()).isEqualTo(OnlineStoreKeys.timestampField("driver_stats"));
    assertThat(stats.maxAgeNanos()).isEqualTo(90_000_000_005L);
    assertThat(stats.features())
        .extracting(FeatureSpec::reference)
        .containsExactly("driver_stats:trips", "driver_stats:rating");
    FeatureSpec trips = stats.feature("trips");
    assertThat(trips.field()).isEqualTo(OnlineStoreKeys.featureField("driver_stats", "trips"));
    assertThat(trips.valueType()).isEqualTo(ValueType.Enum.INT64);
    assertThat(stats.feature("nope")).isNull();
    assertThat(project.table("driver_profile").maxAgeNanos()).isZero();
  }

  @Test
  void tablesOnTheSameEntitySetShareOneKeyShapeWhateverTheirOrder() {
    EntityKeySpec single = project.table("driver_stats").entityKey();
    EntityKeySpec pair = project.table("pairs").entityKey();

    assertThat(project.table("driver_profile").entityKey()).isSameAs(single);
    assertThat(project.table("reversed").entityKey()).isSameAs(pair);
    assertThat(project.entityKeyCount()).isEqualTo(2);
    assertThat(pair.size()).isEqualTo(2);
    assertThat(pair.name(0)).isEqualTo("customer_id");
    assertThat(pair.type(0)).isEqualTo(ValueType.Enum.STRING);
    assertThat(pair.name(1)).isEqualTo("driver_id");
    assertThat(pair.type(1)).isEqualTo(ValueType.Enum.INT64);
  }

  @Test
  void theKeyPrefixFollowedByTheValuesIsTheSharedKeyEncoding() throws Exception {
    EntityKeySpec pair = project.table("pairs").entityKey();

    RedisKeyV2 completed =
        RedisKeyV2.newBuilder()
            .mergeFrom(pair.keyPrefix())
            .addEntityValues(string("c1"))
            .addEntityValues(int64(7))
            .build();

    assertThat(completed.toByteArray())
        .isEqualTo(
            OnlineStoreKeys.entityKey(
                "p", Map.of("driver_id", int64(7), "customer_id", string("c1"))));
  }

  @Test
  void anUndeclaredEntityHasNoTypeToCheck() {
    ProjectSpec loose =
        ProjectSpec.of(
            "p",
            List.of(table("t").entities("ghost").feature("f", ValueType.Enum.INT64).build()),
            List.of());

    assertThat(loose.table("t").entityKey().type(0)).isEqualTo(ValueType.Enum.INVALID);
  }

  @Test
  void anEnormousMaxAgeSaturatesInsteadOfWrappingAround() {
    ProjectSpec forever =
        ProjectSpec.of(
            "p",
            List.of(
                table("t")
                    .entities("e")
                    .feature("f", ValueType.Enum.INT64)
                    .maxAge(Duration.ofSeconds(Long.MAX_VALUE / 10))
                    .build()),
            List.of());

    assertThat(forever.table("t").maxAgeNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aSnapshotReplacesAndRemovesProjectsIntoANewSnapshot() {
    FeatureSpecSnapshot first =
        FeatureSpecSnapshot.of(List.of(project, ProjectSpec.of("q", List.of(), List.of())));
    ProjectSpec replacement = ProjectSpec.of("p", List.of(PROFILE), List.of());

    FeatureSpecSnapshot next =
        first.with(List.of(replacement, ProjectSpec.of("r", List.of(), List.of())), Set.of("q"));

    assertThat(next.project("p")).isSameAs(replacement);
    assertThat(next.project("q")).isNull();
    assertThat(next.project("r")).isNotNull();
    assertThat(next.tableCount()).isEqualTo(1);
    assertThat(first.project("p")).isSameAs(project);
    assertThat(first.tableCount()).isEqualTo(4);
  }
}
