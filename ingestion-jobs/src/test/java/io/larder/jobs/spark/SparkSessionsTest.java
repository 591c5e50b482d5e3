package io.larder.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSessionsTest {

  private static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSessions.create(
            "spark-sessions-test", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void defaultsKeepTheDriverOnLoopbackAndTimeInUtc() {
    Map<String, String> settings =
        SparkSessions.settings("job", null, Map.of("spark.ui.enabled", "true"));

    assertThat(settings)
        .containsEntry("spark.master", SparkSessions.DEFAULT_MASTER)
        .containsEntry("spark.driver.bindAddress", "127.0.0.1")
        .containsEntry("spark.sql.session.timeZone", "UTC")
        .containsEntry("spark.ui.enabled", "true");
  }

  @Test
  void sessionRoundTripsParquetLocally(@TempDir Path dir) {
    String path = dir.resolve("numbers").toString();
    spark.createDataset(List.of(3L, 1L, 2L), Encoders.LONG()).toDF("n").write().parquet(path);

    Dataset<Row> read = spark.read().parquet(path);

    assertThat(read.orderBy("n").as(Encoders.LONG()).collectAsList()).containsExactly(1L, 2L, 3L);
    assertThat(spark.conf().get("spark.sql.session.timeZone")).isEqualTo("UTC");
  }
}
