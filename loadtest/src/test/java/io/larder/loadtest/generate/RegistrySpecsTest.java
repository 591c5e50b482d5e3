package io.larder.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.proto.core.CoreServiceProto.ApplyEntityRequest;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrySpecsTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench-1", "entity_id", 1_000, 5, 10);

  @Test
  void theEntityIsOneInt64InTheShapesProject() {
    ApplyEntityRequest entity = RegistrySpecs.entity(shape);

    assertThat(entity.getProject()).isEqualTo("bench-1");
    assertThat(entity.getSpec().getName()).isEqualTo("entity_id");
    assertThat(entity.getSpec().getValueType()).isEqualTo(ValueType.Enum.INT64);
  }

  @Test
  void oneTablePerShapeTableKeyedByTheEntityWithTheDataTypes() {
    List<ApplyFeatureTableRequest> tables = RegistrySpecs.featureTables(shape, Duration.ofDays(30));

    assertThat(tables).hasSize(5);
    ApplyFeatureTableRequest second = tables.get(1);
    assertThat(second.getProject()).isEqualTo("bench-1");
    assertThat(second.getTableSpec().getName()).isEqualTo("table_1");
    assertThat(second.getTableSpec().getEntitiesList()).containsExactly("entity_id");
    assertThat(second.getTableSpec().getMaxAge().getSeconds()).isEqualTo(30 * 86_400);
    assertThat(second.getTableSpec().getFeaturesList())
        .hasSize(10)
        .extracting(FeatureSpecV2::getName, FeatureSpecV2::getValueType)
        .startsWith(
            org.assertj.core.groups.Tuple.tuple("feature_0", shape.featureType(0)),
            org.assertj.core.groups.Tuple.tuple("feature_1", shape.featureType(1)));
    // The registry requires a batch source with a file URL and an event timestamp column.
    DataSource source = second.getTableSpec().getBatchSource();
    assertThat(source.getType()).isEqualTo(DataSource.SourceType.BATCH_FILE);
    assertThat(source.getFileOptions().getFileUrl()).startsWith("file:///").endsWith(".parquet");
    assertThat(source.getFileOptions().getFileFormat().hasParquetFormat()).isTrue();
    assertThat(source.getEventTimestampColumn()).isNotEmpty();
  }

  @Test
  void zeroMaxAgeMeansNoLimit() {
    assertThat(
            RegistrySpecs.featureTables(shape, Duration.ZERO)
                .get(0)
                .getTableSpec()
                .getMaxAge()
                .getSeconds())
        .isZero();
  }
}
