package io.larder.jobs.batch;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchIngestionJobTest {

  private static final Instant T = Instant.parse("2021-04-01T00:00:00Z");

  private static BatchIngestionSpec valid() {
    return BatchFixtures.spec(
        "p",
        BatchFixtures.table(
            "stats",
            List.of("driver_id"),
            List.of(BatchFixtures.feature("trips", ValueType.Enum.INT64)),
            BatchFixtures.fileSource("/data/stats"),
            0),
        List.of(BatchFixtures.entity("driver_id", ValueType.Enum.INT64)),
        T,
        T.plusSeconds(1));
  }

  @Test
  void aCompleteSpecIsAccepted() {
    assertThatCode(() -> BatchIngestionJob.validate(valid())).doesNotThrowAnyException();
  }

  @Test
  void eachMissingPieceIsNamed() {
    BatchIngestionSpec spec = valid();
    FeatureTableSpec table = spec.getTable();
    assertThatThrownBy(
            () ->
                BatchIngestionJob.validate(
                    spec.toBuilder().setTable(table.toBuilder().setName("")).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table.name");
    assertThatThrownBy(
            () ->
                BatchIngestionJob.validate(
                    spec.toBuilder()
                        .setTable(table.toBuilder().setBatchSource(DataSource.newBuilder()))
                        .build()))
        .hasMessageContaining("batch_source.file_options.file_url");
    assertThatThrownBy(
            () ->
                BatchIngestionJob.validate(
                    spec.toBuilder()
                        .clearEntities()
                        .addEntities(
                            EntitySpecV2.newBuilder()
                                .setName("rider")
                                .setValueType(ValueType.Enum.STRING))
                        .build()))
        .hasMessageContaining("entity 'driver_id'");
    assertThatThrownBy(
            () ->
                BatchIngestionJob.validate(
                    spec.toBuilder().setEnd(BatchFixtures.timestamp(T)).build()))
        .hasMessageContaining("must be before end");
    assertThatThrownBy(
            () ->
                BatchIngestionJob.validate(
                    spec.toBuilder().setRedis(RedisTarget.newBuilder()).build()))
        .hasMessageContaining("redis.uri");
  }
}
