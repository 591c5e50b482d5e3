package io.larder.jobs.sdk;

import static io.larder.jobs.batch.BatchFixtures.entity;
import static io.larder.jobs.batch.BatchFixtures.feature;
import static io.larder.jobs.batch.BatchFixtures.fileSource;
import static io.larder.jobs.batch.BatchFixtures.int64;
import static io.larder.jobs.batch.BatchFixtures.key;
import static io.larder.jobs.batch.BatchFixtures.sql;
import static io.larder.jobs.batch.BatchFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.jobs.batch.BatchFixtures;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.UnifiedJedis;

/** {@link LarderSpark#ingestToOnline} against the real Redis of {@code scripts/stack}. */
@Timeout(180)
class LarderSparkIT {

  private static final Instant T1 = Instant.parse("2021-04-01T10:00:00Z");
  private static final Instant T2 = T1.plusSeconds(60);
  private static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);

  /** Source columns differ from the names: the table's field_mapping must apply. */
  private static final StructType SOURCE_ROWS =
      new StructType()
          .add("drv", DataTypes.LongType)
          .add("trips_raw", DataTypes.LongType)
          .add("ts", DataTypes.TimestampType);

  private static final FeatureTableSpec DRIVER_STATS =
      table(
          "driver_stats",
          List.of("driver_id"),
          List.of(feature("trips", ValueType.Enum.INT64)),
          fileSource("unused: the rows are given")
              .setEventTimestampColumn("ts")
              .putFieldMapping("drv", "driver_id")
              .putFieldMapping("trips_raw", "trips"),
          0);

  private static SparkSession spark;
  private static UnifiedJedis redis;
  private final String project = BatchFixtures.project("larder_spark");

  @BeforeAll
  static void start() {
    spark = BatchFixtures.spark("larder-spark-it");
    redis = BatchFixtures.redis();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    redis.close();
  }

  @AfterEach
  void cleanUp() {
    BatchFixtures.deleteProject(redis, project);
  }

  @Test
  void ingestToOnlineWritesTheNewestRowPerKeyAndNeverReplacesANewerStoredOne() {
    try (LarderSpark larder =
        LarderSpark.withSpecs(List.of(DRIVER_STATS), List.of(DRIVER))
            .project(project)
            .redisUri(BatchFixtures.REDIS_URI)
            .build()) {

      JobResult first =
          larder.ingestToOnline(
              rows(row(1L, 10L, T1), row(1L, 11L, T2), row(2L, 20L, T1), row(null, 99L, T2)),
              "driver_stats");
      JobResult older = larder.ingestToOnline(rows(row(1L, 12L, T1)), "driver_stats");

      assertThat(first)
          .extracting(
              JobResult::getRowsRead,
              JobResult::getRowsWritten,
              JobResult::getRowsNotNewer,
              JobResult::getRowsSkippedNullEntity)
          .containsExactly(4L, 2L, 1L, 1L);
      assertThat(older)
          .extracting(JobResult::getRowsWritten, JobResult::getRowsNotNewer)
          .containsExactly(0L, 1L);
      assertThat(storedTrips(1)).isEqualTo(int64(11));
      assertThat(storedTrips(2)).isEqualTo(int64(20));
    }
  }

  private Value storedTrips(long driver) {
    var trips =
        BatchFixtures.read(
            redis,
            key(project, Map.of("driver_id", int64(driver))),
            "driver_stats",
            "trips",
            ValueType.Enum.INT64);
    assertThat(trips.status()).isEqualTo(FieldStatus.PRESENT);
    return trips.value();
  }

  private static Dataset<Row> rows(Row... rows) {
    return spark.createDataFrame(List.of(rows), SOURCE_ROWS);
  }

  private static Row row(Long driver, Long trips, Instant event) {
    return RowFactory.create(driver, trips, sql(event));
  }
}
