package io.larder.jobs.batch;

import static io.larder.jobs.batch.BatchFixtures.entity;
import static io.larder.jobs.batch.BatchFixtures.feature;
import static io.larder.jobs.batch.BatchFixtures.fileSource;
import static io.larder.jobs.batch.BatchFixtures.int64;
import static io.larder.jobs.batch.BatchFixtures.key;
import static io.larder.jobs.batch.BatchFixtures.read;
import static io.larder.jobs.batch.BatchFixtures.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * Batch ingestion into the stack's Redis Cluster (`scripts/stack start redis-cluster`, ports from
 * LARDER_REDIS_CLUSTER_PORT, default 7000..7002): keys land on every master, each written by the
 * same script, and read back by slot.
 */
@Timeout(180)
class BatchIngestionClusterIT {

  private static final int FIRST_PORT =
      Integer.parseInt(System.getenv().getOrDefault("LARDER_REDIS_CLUSTER_PORT", "7000"));
  private static final String SEEDS =
      "127.0.0.1:"
          + FIRST_PORT
          + ",127.0.0.1:"
          + (FIRST_PORT + 1)
          + ",127.0.0.1:"
          + (FIRST_PORT + 2);
  private static final int DRIVERS = 60;

  private static SparkSession spark;
  private static RedisClusterClient cluster;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = BatchFixtures.spark("batch-ingestion-cluster-it");
    cluster = RedisClusterClient.create(Set.of(new HostAndPort("127.0.0.1", FIRST_PORT)));
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void rowsSpreadOverEveryMasterAreWrittenOnceAndReadBack() {
    Instant t = Instant.parse("2021-04-01T00:00:00Z");
    List<Row> rows = new ArrayList<>();
    for (long driver = 0; driver < DRIVERS; driver++) {
      rows.add(RowFactory.create(driver, driver * 10, sql(t)));
      rows.add(RowFactory.create(driver, -1L, sql(t.minusSeconds(1))));
    }
    StructType schema =
        new StructType()
            .add("driver_id", DataTypes.LongType)
            .add("trips", DataTypes.LongType)
            .add("event_timestamp", DataTypes.TimestampType);
    String url = dir.resolve("drivers").toString();
    spark.createDataFrame(rows, schema).write().parquet(url);
    List<EntitySpecV2> entities = List.of(entity("driver_id", ValueType.Enum.INT64));
    FeatureTableSpec table =
        BatchFixtures.table(
            "cluster_stats",
            List.of("driver_id"),
            List.of(feature("trips", ValueType.Enum.INT64)),
            fileSource(url),
            0);
    String project = BatchFixtures.project("cluster");
    BatchIngestionSpec spec =
        BatchFixtures.spec(project, table, entities, null, null).toBuilder()
            .setRedis(RedisTarget.newBuilder().setUri(SEEDS).setCluster(true).setPipelineSize(7))
            .build();

    JobResult first = BatchIngestionJob.run(spark, spec);
    JobResult again = BatchIngestionJob.run(spark, spec);

    assertThat(first.getRowsWritten()).isEqualTo(DRIVERS);
    assertThat(first.getRowsNotNewer()).isEqualTo(DRIVERS);
    assertThat(again.getRowsWritten()).isZero();
    assertThat(again.getRowsNotNewer()).isEqualTo(2 * DRIVERS);
    Set<String> masters = new HashSet<>();
    List<byte[]> keys = new ArrayList<>();
    try {
      for (long driver = 0; driver < DRIVERS; driver++) {
        byte[] key = key(project, Map.of("driver_id", int64(driver)));
        keys.add(key);
        var trips = readCluster(key);
        assertThat(trips.status()).isEqualTo(FieldStatus.PRESENT);
        assertThat(trips.value()).isEqualTo(int64(driver * 10));
        masters.add(masterHolding(key));
      }
      assertThat(masters).hasSize(3);
    } finally {
      keys.forEach(cluster::del);
    }
  }

  /** The master a key lives on: only that node answers without a MOVED redirect. */
  private static String masterHolding(byte[] key) {
    for (int port = FIRST_PORT; port < FIRST_PORT + 3; port++) {
      try (RedisClient node = RedisClient.create("127.0.0.1", port)) {
        if (node.exists(key)) {
          return "127.0.0.1:" + port;
        }
      } catch (JedisMovedDataException moved) {
        // another master's slot
      }
    }
    throw new AssertionError("no master holds the key");
  }

  private static io.larder.onlinestore.OnlineRowReader.FeatureValue readCluster(byte[] key) {
    return read(cluster, key, "cluster_stats", "trips", ValueType.Enum.INT64);
  }
}
