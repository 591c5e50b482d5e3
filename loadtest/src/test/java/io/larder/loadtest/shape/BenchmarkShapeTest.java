package io.larder.loadtest.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.OnlineValues;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkShapeTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 1_000, 5, 10);

  @Test
  void entityKeyIsTheSharedEncodingOfOneInt64Entity() throws Exception {
    byte[] key = shape.entityKey(42);

    assertThat(key)
        .isEqualTo(
            OnlineStoreKeys.entityKey(
                "bench", Map.of("entity_id", Value.newBuilder().setInt64Val(42).build())));
    RedisKeyV2 parsed = RedisKeyV2.parseFrom(key);
    assertThat(parsed.getProject()).isEqualTo("bench");
    assertThat(parsed.getEntityNamesList()).containsExactly("entity_id");
    assertThat(parsed.getEntityValues(0).getInt64Val()).isEqualTo(42);
  }

  @Test
  void featuresAreChosenTableMajor() {
    List<FeatureReferenceV2> fifty = shape.featureRefs(50);
    List<FeatureReferenceV2> twelve = shape.featureRefs(12);

    assertThat(fifty).hasSize(50);
    assertThat(fifty.get(0)).isEqualTo(ref("table_0", "feature_0"));
    assertThat(fifty.get(9)).isEqualTo(ref("table_0", "feature_9"));
    assertThat(fifty.get(10)).isEqualTo(ref("table_1", "feature_0"));
    assertThat(fifty.get(49)).isEqualTo(ref("table_4", "feature_9"));
    assertThat(fifty).doesNotHaveDuplicates();
    assertThat(twelve).isEqualTo(fifty.subList(0, 12));
    assertThat(shape.tablesSpanned(50)).isEqualTo(5);
    assertThat(shape.tablesSpanned(10)).isEqualTo(1);
    assertThat(shape.tablesSpanned(11)).isEqualTo(2);
  }

  @Test
  void everyValueHasItsFeaturesDeclaredTypeAndIsDeterministic() {
    for (int table = 0; table < shape.tables(); table++) {
      for (int feature = 0; feature < shape.featuresPerTable(); feature++) {
        Value value = shape.featureValue(7, table, feature);
        assertThat(OnlineValues.hasType(value, shape.featureType(feature)))
            .as("table %d feature %d", table, feature)
            .isTrue();
        assertThat(shape.featureValue(7, table, feature)).isEqualTo(value);
      }
    }
    assertThat(shape.featureValue(7, 0, 1)).isNotEqualTo(shape.featureValue(8, 0, 1));
  }

  @Test
  void rejectsFeatureCountsTheShapeDoesNotHave() {
    assertThatThrownBy(() -> shape.featureRefs(51))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 1 and 50");
    assertThatThrownBy(() -> shape.featureRefs(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BenchmarkShape("bench", "entity_id", 0, 5, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requestShapesAreNamedLikeBenchmarks() {
    assertThat(BenchmarkShape.requestShapeName(100, 50)).isEqualTo("rows100_features50");
  }

  private static FeatureReferenceV2 ref(String table, String feature) {
    return FeatureReferenceV2.newBuilder().setFeatureTable(table).setName(feature).build();
  }
}
