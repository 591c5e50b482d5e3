package io.larder.jobs.batch;

import static io.larder.jobs.batch.BatchFixtures.entity;
import static io.larder.jobs.batch.BatchFixtures.feature;
import static io.larder.jobs.batch.BatchFixtures.fileSource;
import static io.larder.jobs.batch.BatchFixtures.int64;
import static io.larder.jobs.batch.BatchFixtures.key;
import static io.larder.jobs.batch.BatchFixtures.read;
import static io.larder.jobs.batch.BatchFixtures.snapshot;
import static io.larder.jobs.batch.BatchFixtures.spec;
import static io.larder.jobs.batch.BatchFixtures.sql;
import static io.larder.jobs.batch.BatchFixtures.storedTime;
import static io.larder.jobs.batch.BatchFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.jobs.online.SecureRedis;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Int64List;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/** Batch ingestion against real Redis and local Spark, on small hand-computed files. */
@Timeout(180)
class BatchIngestionIT {

  private static final Instant DAY1 = Instant.parse("2021-04-01T00:00:00Z");
  private static final List<EntitySpecV2> DRIVER =
      List.of(entity("driver_id", ValueType.Enum.INT64));
  private static final List<FeatureSpecV2> STATS =
      List.of(
          feature("trips", ValueType.Enum.INT64),
          feature("rating", ValueType.Enum.DOUBLE),
          feature("city", ValueType.Enum.STRING),
          feature("recent", ValueType.Enum.INT64_LIST));
  private static final StructType STATS_SCHEMA =
      new StructType()
          .add("driver_id", DataTypes.LongType)
          .add("trips", DataTypes.LongType)
          .add("rating", DataTypes.DoubleType)
          .add("city", DataTypes.StringType)
          .add("recent", DataTypes.createArrayType(DataTypes.LongType))
          .add("event_timestamp", DataTypes.TimestampType)
          .add("created", DataTypes.TimestampType);

  private static SparkSession spark;
  private static UnifiedJedis redis;
  private final List<String> projects = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = BatchFixtures.spark("batch-ingestion-it");
    redis = BatchFixtures.redis();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void cleanUp() {
    projects.forEach(p -> BatchFixtures.deleteProject(redis, p));
  }

  private String project(String name) {
    String project = BatchFixtures.project(name);
    projects.add(project);
    return project;
  }

  private static Row stats(
      Long driver, Long trips, Double rating, String city, Instant event, Instant created) {
    return RowFactory.create(
        driver,
        trips,
        rating,
        city,
        trips == null ? null : Arrays.asList(trips, trips + 1),
        event == null ? null : sql(event),
        created == null ? null : sql(created));
  }

  private String parquet(String name, List<Row> rows) {
    String path = dir.resolve(name).toString();
    spark.createDataFrame(rows, STATS_SCHEMA).coalesce(1).write().parquet(path);
    return path;
  }

  private static FeatureTableSpec statsTable(String url, long maxAgeSeconds) {
    return table(
        "driver_stats",
        List.of("driver_id"),
        STATS,
        fileSource(url).setCreatedTimestampColumn("created"),
        maxAgeSeconds);
  }

  private static byte[] driverKey(String project, long driver) {
    return key(project, Map.of("driver_id", int64(driver)));
  }

  private static Value trips(byte[] key) {
    return read(redis, key, "driver_stats", "trips", ValueType.Enum.INT64).value();
  }

  @Test
  void newestRowPerEntityWinsByEventTimeThenCreatedTimeAndReadsBackThroughTheGatewayDecoding() {
    Instant t1 = DAY1.plusSeconds(60);
    Instant t2 = DAY1.plusSeconds(120);
    String url =
        parquet(
            "stats",
            List.of(
                // driver 1: the later event wins, whatever its created time.
                stats(1L, 10L, 4.0, "a", t2, t1),
                stats(1L, 11L, 4.1, "b", t1, t2),
                // driver 2: same event time, the later created time wins.
                stats(2L, 20L, 4.2, "c", t1, t2),
                stats(2L, 21L, 4.3, "d", t1, t1),
                // driver 3: same event time, a missing created time loses.
                stats(3L, 30L, 4.4, "e", t1, null),
                stats(3L, 31L, 4.5, "f", t1, t1)));
    String project = project("newest");

    JobResult result =
        BatchIngestionJob.run(spark, spec(project, statsTable(url, 0), DRIVER, null, null));

    assertThat(result.getStatus()).isEqualTo("SUCCEEDED");
    assertThat(result.getJob()).isEqualTo("batch_ingestion");
    assertThat(result.getRowsRead()).isEqualTo(6);
    assertThat(result.getRowsWritten()).isEqualTo(3);
    assertThat(result.getRowsNotNewer()).isEqualTo(3);
    assertThat(result.getSeconds()).isPositive();
    assertThat(trips(driverKey(project, 1))).isEqualTo(int64(10));
    assertThat(trips(driverKey(project, 2))).isEqualTo(int64(20));
    assertThat(trips(driverKey(project, 3))).isEqualTo(int64(31));

    byte[] key = driverKey(project, 2);
    var rating = read(redis, key, "driver_stats", "rating", ValueType.Enum.DOUBLE);
    var city = read(redis, key, "driver_stats", "city", ValueType.Enum.STRING);
    var recent = read(redis, key, "driver_stats", "recent", ValueType.Enum.INT64_LIST);
    assertThat(rating.status()).isEqualTo(FieldStatus.PRESENT);
    assertThat(rating.value().getDoubleVal()).isEqualTo(4.2);
    assertThat(city.value().getStringVal()).isEqualTo("c");
    assertThat(recent.status()).isEqualTo(FieldStatus.PRESENT);
    assertThat(recent.value().getInt64ListVal())
        .isEqualTo(Int64List.newBuilder().addVal(20).addVal(21).build());
    assertThat(storedTime(redis, key, OnlineStoreKeys.timestampField("driver_stats")))
        .isEqualTo(t1);
    // No max age: no _ex field and no TTL.
    assertThat(redis.hget(key, OnlineStoreKeys.expiryField("driver_stats"))).isNull();
    assertThat(redis.ttl(key)).isEqualTo(-1);
  }

  @Test
  void writesOverTlsAsAnAclUserWithThePasswordReadFromAFile() throws Exception {
    Instant t1 = DAY1.plusSeconds(60);
    String url = parquet("secure", List.of(stats(1L, 10L, 4.0, "a", t1, t1)));
    String project = project("secure");
    RedisTarget secure = SecureRedis.target();

    JobResult result =
        BatchIngestionJob.run(
            spark,
            spec(project, statsTable(url, 0), DRIVER, null, null).toBuilder()
                .setRedis(secure)
                .build());

    assertThat(result.getRowsWritten()).isEqualTo(1);
    try (UnifiedJedis secureRedis = SecureRedis.open(secure)) {
      try {
        assertThat(
                read(
                        secureRedis,
                        driverKey(project, 1),
                        "driver_stats",
                        "trips",
                        ValueType.Enum.INT64)
                    .value())
            .isEqualTo(int64(10));
      } finally {
        BatchFixtures.deleteProject(secureRedis, project);
      }
    }
  }

  @Test
  void aWrongRedisPasswordFailsTheJobWithoutShowingThePassword() throws Exception {
    String url = parquet("wrong", List.of(stats(1L, 10L, 4.0, "a", DAY1, DAY1)));
    String wrong = "wrong-" + java.util.UUID.randomUUID();
    Path passwordFile = Files.writeString(dir.resolve("password"), wrong);
    RedisTarget target =
        SecureRedis.target().toBuilder().setPasswordFile(passwordFile.toString()).build();

    assertThatThrownBy(
            () ->
                BatchIngestionJob.run(
                    spark,
                    spec(project("wrong"), statsTable(url, 0), DRIVER, null, null).toBuilder()
                        .setRedis(target)
                        .build()))
        .satisfies(
            error -> {
              StringBuilder messages = new StringBuilder();
              for (Throwable t = error; t != null; t = t.getCause()) {
                messages.append(t).append('\n');
              }
              assertThat(messages.toString()).contains("WRONGPASS").doesNotContain(wrong);
            });
  }

  @Test
  void csvLinesThatDoNotFitTheHeaderAndOtherRejectedRowsAreCountedAndDeadLettered()
      throws Exception {
    Path csv = dir.resolve("ragged.csv");
    Files.writeString(
        csv,
        """
        driver_id,trips,rating,city,ts
        1,10,4.5,x,2021-04-01T10:00:00Z
        2,20,4.6
        3,30,4.7,z,2021-04-01T10:00:00Z,extra
        ,40,1.0,w,2021-04-01T10:00:00Z
        5,fifty,1.0,v,2021-04-01T10:00:00Z
        """);
    FeatureTableSpec table =
        table(
            "driver_csv",
            List.of("driver_id"),
            List.of(
                feature("trips", ValueType.Enum.INT64),
                feature("rating", ValueType.Enum.DOUBLE),
                feature("city", ValueType.Enum.STRING)),
            fileSource(csv.toString()).setEventTimestampColumn("ts"),
            0);
    String kept = project("deadletters");
    String notKept = project("nodeadletters");
    String deadLetters = dir.resolve("dead").toString();

    JobResult result =
        BatchIngestionJob.run(
            spark,
            spec(kept, table, DRIVER, null, null).toBuilder()
                .setDeadLetterPath(deadLetters)
                .build());
    // Without a dead-letter path Spark reads fewer columns; short lines must still be caught.
    JobResult withoutDeadLetters =
        BatchIngestionJob.run(spark, spec(notKept, table, DRIVER, null, null));

    for (JobResult run : List.of(result, withoutDeadLetters)) {
      assertThat(run.getRowsRead()).isEqualTo(5);
      assertThat(run.getMessagesMalformed()).isEqualTo(2);
      assertThat(run.getRowsSkippedNullEntity()).isEqualTo(1);
      assertThat(run.getRowsSkippedWrongType()).isEqualTo(1);
      assertThat(run.getRowsWritten()).isEqualTo(1);
    }
    assertThat(result.getDeadLetterPath()).isEqualTo(deadLetters);
    assertThat(withoutDeadLetters.getDeadLetterPath()).isEmpty();
    for (String project : List.of(kept, notKept)) {
      assertThat(
              read(redis, driverKey(project, 1), "driver_csv", "trips", ValueType.Enum.INT64)
                  .value())
          .isEqualTo(int64(10));
      // Neither half of a line that did not parse reaches Redis.
      assertThat(redis.exists(driverKey(project, 2))).isFalse();
      assertThat(redis.exists(driverKey(project, 3))).isFalse();
      assertThat(redis.exists(driverKey(project, 5))).isFalse();
    }
    List<String> letters =
        spark.read().parquet(deadLetters).collectAsList().stream()
            .map(row -> row.getString(0) + " | " + row.getString(1) + " | " + row.getString(2))
            .sorted()
            .toList();
    assertThat(letters)
        .containsExactly(
            "malformed | 2,20,4.6 | " + csv,
            "malformed | 3,30,4.7,z,2021-04-01T10:00:00Z,extra | " + csv,
            "null_entity | {\"trips\":\"40\",\"rating\":\"1.0\",\"city\":\"w\",\"ts\":\"2021-04-01T10:00:00Z\"} | "
                + csv,
            "wrong_type | {\"driver_id\":\"5\",\"trips\":\"fifty\",\"rating\":\"1.0\",\"city\":\"v\",\"ts\":\"2021-04-01T10:00:00Z\"} | "
                + csv);
  }

  @Test
  void aCsvWithoutAColumnTheTableNeedsIsRefusedNamingIt() throws Exception {
    Path csv = dir.resolve("nocity.csv");
    Files.writeString(csv, "driver_id,trips,rating,ts\n1,10,4.5,2021-04-01T10:00:00Z\n");
    String project = project("nocity");

    assertThatThrownBy(
            () ->
                BatchIngestionJob.run(
                    spark,
                    spec(
                        project,
                        table(
                            "driver_csv",
                            List.of("driver_id"),
                            List.of(feature("city", ValueType.Enum.STRING)),
                            fileSource(csv.toString()).setEventTimestampColumn("ts"),
                            0),
                        DRIVER,
                        null,
                        null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source has no column 'city'");
    assertThat(BatchFixtures.keys(redis, project)).isEmpty();
  }

  @Test
  void aCorruptParquetFileFailsTheJobNamingItBeforeAnythingIsWritten() throws Exception {
    Instant t1 = DAY1.plusSeconds(60);
    String url =
        parquet(
            "corrupt", List.of(stats(1L, 10L, 4.0, "a", t1, t1), stats(2L, 20L, 4.0, "b", t1, t1)));
    Path corrupt = Path.of(url).resolve("part-99999-corrupt.parquet");
    Files.writeString(corrupt, "PAR1 this is not a parquet file PAR1");
    String project = project("corrupt");

    assertThatThrownBy(
            () ->
                BatchIngestionJob.run(spark, spec(project, statsTable(url, 0), DRIVER, null, null)))
        .satisfies(
            error -> {
              StringBuilder messages = new StringBuilder();
              for (Throwable t = error; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
              }
              assertThat(messages.toString()).contains("part-99999-corrupt.parquet");
            });
    assertThat(BatchFixtures.keys(redis, project)).isEmpty();
  }

  @Test
  void aPackedTableGetsOneStringPerEntityNewestWinsWithExpiryAndTheSameAnswersAsAHash() {
    Instant t1 = Instant.now().minusSeconds(120);
    Instant t2 = Instant.now().minusSeconds(60);
    List<Row> rows =
        List.of(
            stats(1L, 10L, 4.0, "a", t2, t1),
            stats(1L, 11L, 4.1, "b", t1, t2),
            stats(2L, 20L, null, "c", t1, t2),
            stats(3L, 30L, 4.4, null, t1, null));
    String url = parquet("packed", rows);
    String project = project("packed");
    FeatureTableSpec hashed = statsTable(url, 3600);
    FeatureTableSpec packed =
        hashed.toBuilder()
            .setName("driver_stats_packed")
            .putLabels(OnlineLayout.LABEL, OnlineLayout.PACKED.label())
            .build();

    JobResult hashRun = BatchIngestionJob.run(spark, spec(project, hashed, DRIVER, null, null));
    JobResult packedRun = BatchIngestionJob.run(spark, spec(project, packed, DRIVER, null, null));

    assertThat(packedRun.getRowsWritten()).isEqualTo(hashRun.getRowsWritten()).isEqualTo(3);
    assertThat(packedRun.getRowsNotNewer()).isEqualTo(1);
    assertThat(BatchFixtures.packedKeys(redis, project)).hasSize(3);
    for (long driver = 1; driver <= 3; driver++) {
      byte[] key = driverKey(project, driver);
      for (FeatureSpecV2 feature : STATS) {
        assertThat(
                BatchFixtures.readPacked(
                    redis, key, "driver_stats_packed", feature.getName(), feature.getValueType()))
            .as("driver %d %s", driver, feature.getName())
            .isEqualTo(read(redis, key, "driver_stats", feature.getName(), feature.getValueType()));
      }
      // Expires with its row: event time + max age, whole seconds rounded up.
      byte[] packedKey = PackedRows.key(PackedRows.keyPrefix("driver_stats_packed"), key);
      Instant event = driver == 1 ? t2 : t1;
      assertThat(redis.expireTime(packedKey))
          .isEqualTo(event.plusSeconds(3600).getEpochSecond() + (event.getNano() > 0 ? 1 : 0));
    }
    // The hash holds only the hash-layout table.
    assertThat(redis.hkeys(driverKey(project, 1)))
        .noneMatch(field -> new String(field).contains("packed"));

    // A re-run changes nothing; a newer row with a null feature leaves no older value behind.
    byte[] one = PackedRows.key(PackedRows.keyPrefix("driver_stats_packed"), driverKey(project, 1));
    byte[] before = redis.get(one);
    assertThat(
            BatchIngestionJob.run(spark, spec(project, packed, DRIVER, null, null))
                .getRowsWritten())
        .isZero();
    assertThat(redis.get(one)).isEqualTo(before);
    String newer =
        parquet("packed_newer", List.of(stats(1L, 12L, null, "z", t2.plusSeconds(1), t2)));
    BatchIngestionJob.run(
        spark,
        spec(
            project,
            packed.toBuilder()
                .setBatchSource(fileSource(newer).setCreatedTimestampColumn("created"))
                .build(),
            DRIVER,
            null,
            null));
    assertThat(
            BatchFixtures.readPacked(
                    redis,
                    driverKey(project, 1),
                    "driver_stats_packed",
                    "rating",
                    ValueType.Enum.DOUBLE)
                .status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(
            BatchFixtures.readPacked(
                    redis,
                    driverKey(project, 1),
                    "driver_stats_packed",
                    "trips",
                    ValueType.Enum.INT64)
                .value())
        .isEqualTo(int64(12));
  }

  @Test
  void aStoredNewerRowIsNeverReplacedAndARerunChangesNoByte() {
    Instant t1 = DAY1.plusSeconds(60);
    Instant t2 = DAY1.plusSeconds(120);
    String newer = parquet("newer", List.of(stats(1L, 12L, 1.0, "n", t2, t2)));
    String older =
        parquet(
            "older", List.of(stats(1L, 11L, 1.0, "o", t1, t2), stats(2L, 21L, 2.0, "x", t1, t1)));
    String project = project("never_older");

    BatchIngestionJob.run(spark, spec(project, statsTable(newer, 0), DRIVER, null, null));
    JobResult olderRun =
        BatchIngestionJob.run(spark, spec(project, statsTable(older, 0), DRIVER, null, null));

    assertThat(olderRun.getRowsWritten()).isEqualTo(1);
    assertThat(olderRun.getRowsNotNewer()).isEqualTo(1);
    assertThat(trips(driverKey(project, 1))).isEqualTo(int64(12));
    assertThat(trips(driverKey(project, 2))).isEqualTo(int64(21));

    Map<String, String> before = snapshot(redis, project);
    JobResult rerun =
        BatchIngestionJob.run(spark, spec(project, statsTable(older, 0), DRIVER, null, null));
    assertThat(rerun.getRowsWritten()).isZero();
    assertThat(rerun.getRowsNotNewer()).isEqualTo(2);
    assertThat(snapshot(redis, project)).isEqualTo(before).hasSize(2);
  }

  @Test
  void overlappingRangesInEitherOrderEndInTheSameBytes() {
    List<Row> rows = new ArrayList<>();
    for (int day = 0; day < 4; day++) {
      Instant time = DAY1.plus(day, ChronoUnit.DAYS).plusSeconds(3600);
      rows.add(stats(1L, 100L + day, 1.0 + day, "d" + day, time, time));
      rows.add(stats(2L + day, 200L + day, 2.0, null, time, time));
    }
    String url = parquet("days", rows);
    FeatureTableSpec table = statsTable(url, 0);
    Instant a0 = DAY1;
    Instant a1 = DAY1.plus(3, ChronoUnit.DAYS);
    Instant b0 = DAY1.plus(1, ChronoUnit.DAYS);
    Instant b1 = DAY1.plus(4, ChronoUnit.DAYS);
    String forward = project("forward");
    String backward = project("backward");

    BatchIngestionJob.run(spark, spec(forward, table, DRIVER, a0, a1));
    BatchIngestionJob.run(spark, spec(forward, table, DRIVER, b0, b1));
    BatchIngestionJob.run(spark, spec(backward, table, DRIVER, b0, b1));
    JobResult olderAfterNewer = BatchIngestionJob.run(spark, spec(backward, table, DRIVER, a0, a1));

    assertThat(olderAfterNewer.getRowsRead()).isEqualTo(6);
    assertThat(snapshot(redis, forward)).isEqualTo(snapshot(redis, backward)).hasSize(5);
    assertThat(trips(driverKey(forward, 1))).isEqualTo(int64(103));
  }

  @Test
  void rangeIncludesStartAndExcludesEnd() {
    Instant start = DAY1.plusSeconds(100);
    Instant end = DAY1.plusSeconds(200);
    String url =
        parquet(
            "bounds",
            List.of(
                stats(1L, 1L, 1.0, "before", start.minusMillis(1), null),
                stats(2L, 2L, 1.0, "start", start, null),
                stats(3L, 3L, 1.0, "last", end.minus(1, ChronoUnit.MICROS), null),
                stats(4L, 4L, 1.0, "end", end, null)));
    String project = project("bounds");

    JobResult result =
        BatchIngestionJob.run(spark, spec(project, statsTable(url, 0), DRIVER, start, end));

    assertThat(result.getRowsRead()).isEqualTo(2);
    assertThat(result.getRowsWritten()).isEqualTo(2);
    assertThat(redis.exists(driverKey(project, 1))).isFalse();
    assertThat(trips(driverKey(project, 2))).isEqualTo(int64(2));
    assertThat(trips(driverKey(project, 3))).isEqualTo(int64(3));
    assertThat(redis.exists(driverKey(project, 4))).isFalse();
    assertThat(
            storedTime(
                redis, driverKey(project, 3), OnlineStoreKeys.timestampField("driver_stats")))
        .isEqualTo(end.minus(1, ChronoUnit.MICROS));
  }

  @Test
  void csvWithFieldMappingIsParsedToDeclaredTypesAndBadRowsAreSkippedAndCounted() throws Exception {
    Path csv = dir.resolve("stats.csv");
    Files.writeString(
        csv,
        """
        id,n_trips,avg_rating,home,ts,created
        1,10,4.5,x,2021-04-01T10:00:00Z,2021-04-01T10:00:00Z
        1,11,4.6,y,2021-04-01T09:00:00Z,2021-04-01T11:00:00Z
        ,99,1.0,nullentity,2021-04-01T10:00:00Z,
        2,not-a-number,1.0,wrongtype,2021-04-01T10:00:00Z,
        3,30,1.0,notime,,
        4,40,,z,2021-04-01T12:00:00Z,
        """);
    FeatureTableSpec table =
        table(
            "driver_csv",
            List.of("driver_id"),
            List.of(
                feature("trips", ValueType.Enum.INT64),
                feature("rating", ValueType.Enum.DOUBLE),
                feature("city", ValueType.Enum.STRING)),
            fileSource(csv.toString())
                .setEventTimestampColumn("ts")
                .setCreatedTimestampColumn("created")
                .putFieldMapping("id", "driver_id")
                .putFieldMapping("n_trips", "trips")
                .putFieldMapping("avg_rating", "rating")
                .putFieldMapping("home", "city"),
            0);
    String project = project("csv");

    JobResult result = BatchIngestionJob.run(spark, spec(project, table, DRIVER, null, null));

    assertThat(result.getRowsRead()).isEqualTo(6);
    assertThat(result.getRowsSkippedNullEntity()).isEqualTo(1);
    assertThat(result.getRowsSkippedWrongType()).isEqualTo(1);
    assertThat(result.getRowsSkippedNullTimestamp()).isEqualTo(1);
    assertThat(result.getRowsWritten()).isEqualTo(2);
    assertThat(result.getRowsNotNewer()).isEqualTo(1);
    byte[] one = driverKey(project, 1);
    assertThat(read(redis, one, "driver_csv", "trips", ValueType.Enum.INT64).value())
        .isEqualTo(int64(10));
    assertThat(
            read(redis, one, "driver_csv", "rating", ValueType.Enum.DOUBLE).value().getDoubleVal())
        .isEqualTo(4.5);
    assertThat(read(redis, one, "driver_csv", "city", ValueType.Enum.STRING).value().getStringVal())
        .isEqualTo("x");
    // A null feature is not stored: the gateway answers NOT_FOUND, never a stale value.
    assertThat(
            read(redis, driverKey(project, 4), "driver_csv", "rating", ValueType.Enum.DOUBLE)
                .status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(redis.exists(driverKey(project, 2))).isFalse();
    assertThat(redis.exists(driverKey(project, 3))).isFalse();
  }

  @Test
  void datePartitionsOutsideTheRangeAreNeverRead() throws Exception {
    Path root = dir.resolve("partitioned");
    StructType schema = STATS_SCHEMA.add("date", DataTypes.StringType);
    Instant inRange = Instant.parse("2021-04-02T08:00:00Z");
    spark
        .createDataFrame(
            List.of(
                RowFactory.create(1L, 1L, 1.0, "a", null, sql(inRange), null, "2021-04-02"),
                RowFactory.create(
                    2L, 2L, 1.0, "b", null, sql(inRange.plusSeconds(60)), null, "2021-04-03")),
            schema)
        .write()
        .partitionBy("date")
        .parquet(root.toString());
    // An unreadable file in a partition after the range: reading it would fail the job. (After,
    // not before: without a summary file Spark infers the schema from the first file listed.)
    Path stale = Files.createDirectories(root.resolve("date=2021-05-01"));
    Files.writeString(stale.resolve("part-00000-corrupt.parquet"), "this is not parquet");
    FeatureTableSpec table =
        table(
            "driver_parts",
            List.of("driver_id"),
            STATS,
            fileSource(root.toString()).setDatePartitionColumn("date"),
            0);
    String project = project("pruning");

    JobResult result =
        BatchIngestionJob.run(
            spark,
            spec(
                project,
                table,
                DRIVER,
                Instant.parse("2021-04-02T00:00:00Z"),
                Instant.parse("2021-04-04T00:00:00Z")));

    assertThat(result.getRowsRead()).isEqualTo(2);
    assertThat(result.getRowsWritten()).isEqualTo(2);
    // Without a range the corrupt partition is read, and the job fails: the range above pruned it.
    assertThatThrownBy(() -> BatchIngestionJob.run(spark, spec(project, table, DRIVER, null, null)))
        .isInstanceOf(Exception.class);
  }

  @Test
  void compositeEntityKeysSortTheEntityNames() {
    StructType schema =
        new StructType()
            .add("rider", DataTypes.StringType)
            .add("driver_id", DataTypes.LongType)
            .add("trips", DataTypes.LongType)
            .add("event_timestamp", DataTypes.TimestampType);
    Instant t = DAY1.plusSeconds(5);
    String url = dir.resolve("pairs").toString();
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("r1", 1L, 11L, sql(t)),
                RowFactory.create("r2", 1L, 12L, sql(t)),
                RowFactory.create("r1", 2L, 21L, sql(t))),
            schema)
        .write()
        .parquet(url);
    List<EntitySpecV2> entities =
        List.of(entity("rider", ValueType.Enum.STRING), entity("driver_id", ValueType.Enum.INT64));
    FeatureTableSpec table =
        table(
            "pairs",
            List.of("rider", "driver_id"),
            List.of(feature("trips", ValueType.Enum.INT64)),
            fileSource(url),
            0);
    String project = project("composite");

    JobResult result = BatchIngestionJob.run(spark, spec(project, table, entities, null, null));

    assertThat(result.getRowsWritten()).isEqualTo(3);
    byte[] key = key(project, Map.of("rider", BatchFixtures.string("r2"), "driver_id", int64(1)));
    assertThat(read(redis, key, "pairs", "trips", ValueType.Enum.INT64).value())
        .isEqualTo(int64(12));
    assertThat(BatchFixtures.keys(redis, project)).hasSize(3);
  }

  @Test
  void aNewerNullFeatureDeletesTheOlderValue() {
    Instant t1 = DAY1.plusSeconds(60);
    Instant t2 = DAY1.plusSeconds(120);
    String first = parquet("first", List.of(stats(1L, 10L, 4.0, "old-city", t1, t1)));
    String second = parquet("second", List.of(stats(1L, 11L, null, null, t2, t2)));
    String project = project("nulls");

    BatchIngestionJob.run(spark, spec(project, statsTable(first, 0), DRIVER, null, null));
    BatchIngestionJob.run(spark, spec(project, statsTable(second, 0), DRIVER, null, null));

    byte[] key = driverKey(project, 1);
    assertThat(redis.hget(key, OnlineStoreKeys.featureField("driver_stats", "city"))).isNull();
    assertThat(redis.hget(key, OnlineStoreKeys.featureField("driver_stats", "rating"))).isNull();
    assertThat(read(redis, key, "driver_stats", "city", ValueType.Enum.STRING).status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(trips(key)).isEqualTo(int64(11));
    assertThat(storedTime(redis, key, OnlineStoreKeys.timestampField("driver_stats")))
        .isEqualTo(t2);
  }

  @Test
  void theKeyExpiresAtTheLatestExpiryOfItsTablesAndNeverWhenOneHasNoMaxAge() {
    // Expiry only makes sense in the future: times relative to now, with sub-second parts.
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant recent = now.minusSeconds(600).plusMillis(250);
    Instant older = now.minusSeconds(1800).plusMillis(500);
    String statsUrl = parquet("stats_now", List.of(stats(1L, 10L, 1.0, "a", recent, recent)));
    String otherUrl = parquet("other_now", List.of(stats(1L, 20L, 2.0, "b", older, older)));
    FeatureTableSpec oneHour = statsTable(statsUrl, 3600);
    FeatureTableSpec twoHours =
        statsTable(otherUrl, 7200).toBuilder().setName("driver_other").build();
    FeatureTableSpec forever =
        statsTable(otherUrl, 0).toBuilder().setName("driver_forever").build();
    String project = project("expiry");
    byte[] key = driverKey(project, 1);

    BatchIngestionJob.run(spark, spec(project, oneHour, DRIVER, null, null));
    // Seconds rounded up: recent has 250 ms.
    long oneHourExpiry = recent.plusSeconds(3600).getEpochSecond() + 1;
    assertThat(redis.expireTime(key)).isEqualTo(oneHourExpiry);
    assertThat(storedTime(redis, key, OnlineStoreKeys.expiryField("driver_stats")))
        .isEqualTo(recent.plusSeconds(3600));

    BatchIngestionJob.run(spark, spec(project, twoHours, DRIVER, null, null));
    long twoHourExpiry = older.plusSeconds(7200).getEpochSecond() + 1;
    assertThat(twoHourExpiry).isGreaterThan(oneHourExpiry);
    assertThat(redis.expireTime(key)).isEqualTo(twoHourExpiry);

    BatchIngestionJob.run(spark, spec(project, forever, DRIVER, null, null));
    assertThat(redis.ttl(key)).isEqualTo(-1);
    assertThat(redis.hget(key, OnlineStoreKeys.expiryField("driver_forever"))).isNull();
    assertThat(trips(key)).isEqualTo(int64(10));
  }
}
