package io.larder.jobs.historical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Duration;
import io.larder.jobs.spark.SparkSessions;
import io.larder.proto.core.DataFormatProto.FileFormat;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.EntitySource;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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

/** Point-in-time rules on small hand-computed datasets; times are 2021-01-01 at the given hh:mm. */
@Timeout(120)
class HistoricalRetrievalJobIT {

  private static final EntitySpecV2 DRIVER = entity("driver", ValueType.Enum.INT64);
  private static final EntitySpecV2 CUSTOMER = entity("customer", ValueType.Enum.STRING);

  /** Feature sources use their own column names, so the spec's timestamp columns are exercised. */
  private static final StructType DRIVER_ROWS =
      new StructType()
          .add("driver", DataTypes.LongType)
          .add("trips", DataTypes.LongType)
          .add("ts", DataTypes.TimestampType)
          .add("created", DataTypes.TimestampType);

  private static final StructType ENTITY_ROWS =
      new StructType()
          .add("driver", DataTypes.LongType)
          .add("event_timestamp", DataTypes.TimestampType)
          .add("label", DataTypes.StringType);

  private static SparkSession spark;
  @TempDir static Path dir;
  private static final AtomicInteger paths = new AtomicInteger();

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSessions.create(
            "historical-retrieval-it", "local[2]", Map.of("spark.sql.shuffle.partitions", "2"));
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void equalTimestampsMatchAndEntityRowsBeforeAnyFeatureRowGetNulls() {
    String features =
        parquet(
            DRIVER_ROWS,
            row(1L, 10L, at("10:00"), null),
            row(1L, 20L, at("11:00"), null),
            row(2L, 30L, at("12:00"), null));
    String entities =
        parquet(
            ENTITY_ROWS,
            row(1L, at("11:00"), "equal"),
            row(1L, at("10:59"), "between"),
            row(1L, at("09:59"), "before any"),
            row(2L, at("11:59"), "before any of its key"),
            row(3L, at("12:00"), "unknown key"));

    List<Row> out = run(spec(entities, driverStats(features, 0)).addFeatures("driver_stats:trips"));

    assertThat(out)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("equal", 20L),
            tuple("between", 10L),
            tuple("before any", null),
            tuple("before any of its key", null),
            tuple("unknown key", null));
  }

  @Test
  void maxAgeEdgeIsInclusiveToTheMicrosecond() {
    String features = parquet(DRIVER_ROWS, row(1L, 10L, at("10:00"), null));
    Timestamp oneHourLater = at("11:00");
    Timestamp oneMicroTooLate = Timestamp.from(oneHourLater.toInstant().plusNanos(1_000));
    String entities =
        parquet(
            ENTITY_ROWS,
            row(1L, at("10:30"), "inside"),
            row(1L, oneHourLater, "exactly max_age old"),
            row(1L, oneMicroTooLate, "1 µs too old"));

    List<Row> out =
        run(spec(entities, driverStats(features, 3600)).addFeatures("driver_stats:trips"));

    assertThat(out)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("inside", 10L), tuple("exactly max_age old", 10L), tuple("1 µs too old", null));
  }

  @Test
  void equalEventTimesAreDecidedByTheLaterCreatedTimestamp() {
    String features =
        parquet(
            DRIVER_ROWS,
            row(1L, 2L, at("10:00"), at("10:30")),
            row(1L, 3L, at("10:00"), at("10:45")),
            row(1L, 1L, at("10:00"), at("10:15")),
            row(1L, 9L, at("10:00"), null),
            // A later event time wins over any created time.
            row(2L, 5L, at("09:00"), at("23:00")),
            row(2L, 6L, at("09:01"), at("09:01")));
    String entities =
        parquet(ENTITY_ROWS, row(1L, at("12:00"), "tie"), row(2L, at("12:00"), "later event"));

    List<Row> out = run(spec(entities, driverStats(features, 0)).addFeatures("driver_stats:trips"));

    assertThat(out)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(tuple("tie", 3L), tuple("later event", 6L));
  }

  @Test
  void rowsWithTheSameEventAndCreatedTimesAreDecidedByTheirValuesInAnyOrder() {
    // Shuffles deliver rows in no fixed order: the same inputs must still give the same output.
    String ascending =
        parquet(
            DRIVER_ROWS,
            row(1L, 4L, at("10:00"), at("10:30")),
            row(1L, 7L, at("10:00"), at("10:30")),
            row(1L, 5L, at("10:00"), at("10:30")));
    String descending =
        parquet(
            DRIVER_ROWS,
            row(1L, 7L, at("10:00"), at("10:30")),
            row(1L, 5L, at("10:00"), at("10:30")),
            row(1L, 4L, at("10:00"), at("10:30")));
    String entities = parquet(ENTITY_ROWS, row(1L, at("12:00"), "tie"));

    for (String features : List.of(ascending, descending)) {
      List<Row> out =
          run(spec(entities, driverStats(features, 0)).addFeatures("driver_stats:trips"));
      assertThat(out).extracting(r -> r.get(3)).containsExactly(7L);
    }
  }

  @Test
  void compositeEntityKeysMatchOnEveryKeyColumn() {
    StructType pairRows =
        new StructType()
            .add("customer", DataTypes.StringType)
            .add("driver", DataTypes.LongType)
            .add("rides", DataTypes.IntegerType)
            .add("ts", DataTypes.TimestampType);
    String features =
        parquet(
            pairRows,
            row("a", 1L, 11, at("10:00")),
            row("b", 1L, 12, at("10:00")),
            row("a", 2L, 21, at("10:00")));
    StructType entityRows =
        new StructType()
            .add("driver", DataTypes.LongType)
            .add("customer", DataTypes.StringType)
            .add("event_timestamp", DataTypes.TimestampType);
    String entities =
        parquet(
            entityRows,
            row(1L, "a", at("11:00")),
            row(1L, "b", at("11:00")),
            row(2L, "a", at("11:00")),
            row(2L, "b", at("11:00")));

    List<Row> out =
        run(
            spec(entities, pairTable("pair", features, "rides"))
                .addEntities(CUSTOMER)
                .addFeatures("pair:rides"));

    assertThat(out.get(0).schema().fieldNames())
        .containsExactly("driver", "customer", "event_timestamp", "pair__rides");
    assertThat(out)
        .extracting(r -> r.get(0), r -> r.get(1), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple(1L, "a", 11), tuple(1L, "b", 12), tuple(2L, "a", 21), tuple(2L, "b", null));
  }

  @Test
  void joinsSeveralTablesWithDifferentEntitySetsAndKeepsDuplicateEntityRows() {
    String trips =
        parquet(DRIVER_ROWS, row(1L, 10L, at("10:00"), null), row(1L, 11L, at("11:00"), null));
    StructType ratingRows =
        new StructType()
            .add("driver", DataTypes.LongType)
            .add("rating", DataTypes.DoubleType)
            .add("ts", DataTypes.TimestampType);
    String ratings = parquet(ratingRows, row(1L, 4.5, at("10:30")), row(1L, 4.9, at("11:30")));
    StructType pairRows =
        new StructType()
            .add("driver", DataTypes.LongType)
            .add("customer", DataTypes.StringType)
            .add("rides", DataTypes.IntegerType)
            .add("ts", DataTypes.TimestampType);
    String pairs = parquet(pairRows, row(1L, "a", 7, at("09:00")), row(1L, "b", 8, at("10:45")));
    StructType entityRows =
        new StructType()
            .add("customer", DataTypes.StringType)
            .add("driver", DataTypes.LongType)
            .add("event_timestamp", DataTypes.TimestampType);
    String entities =
        parquet(
            entityRows,
            row("a", 1L, at("10:50")),
            row("a", 1L, at("10:50")),
            row("b", 1L, at("11:45")),
            row("b", 1L, at("10:40")));

    FeatureTableSpec ratingTable =
        FeatureTableSpec.newBuilder()
            .setName("driver_rating")
            .addEntities("driver")
            .addFeatures(feature("rating", ValueType.Enum.DOUBLE))
            .setBatchSource(parquetSource(ratings, "ts", ""))
            .build();
    List<Row> out =
        run(
            spec(entities, driverStats(trips, 0))
                .addTables(ratingTable)
                .addTables(pairTable("pair", pairs, "rides"))
                .addEntities(CUSTOMER)
                .addFeatures("driver_rating:rating")
                .addFeatures("pair:rides")
                .addFeatures("driver_stats:trips"));

    assertThat(out.get(0).schema().fieldNames())
        .containsExactly(
            "customer",
            "driver",
            "event_timestamp",
            "driver_rating__rating",
            "pair__rides",
            "driver_stats__trips");
    assertThat(out)
        .extracting(r -> r.get(0), r -> r.get(2), r -> r.get(3), r -> r.get(4), r -> r.get(5))
        .containsExactlyInAnyOrder(
            tuple("a", at("10:50"), 4.5, 7, 10L),
            tuple("a", at("10:50"), 4.5, 7, 10L),
            tuple("b", at("11:45"), 4.9, 8, 11L),
            tuple("b", at("10:40"), 4.5, null, 10L));
  }

  @Test
  void readsCsvSourcesWithFieldMappingEpochSecondsAndKeepsEveryEntitySourceColumn()
      throws IOException {
    Path featureCsv = dir.resolve("driver_features.csv");
    Files.writeString(
        featureCsv,
        """
        drv_id,trips_raw,ts
        1,10,2021-01-01T10:00:00Z
        1,11,1609498800
        2,20,2021-01-01T10:00:00Z
        """);
    Path entityCsv = dir.resolve("entities.csv");
    Files.writeString(
        entityCsv,
        """
        label,driver,event_timestamp
        x,1,2021-01-01T10:30:00Z
        y,2,2021-01-01 10:00:00
        z,1,1609498800.000000
        """);
    FeatureTableSpec table =
        FeatureTableSpec.newBuilder()
            .setName("driver_stats")
            .addEntities("driver")
            .addFeatures(feature("trips", ValueType.Enum.INT64))
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .putFieldMapping("drv_id", "driver")
                    .putFieldMapping("trips_raw", "trips")
                    .setEventTimestampColumn("ts")
                    .setFileOptions(
                        DataSource.FileOptions.newBuilder().setFileUrl(featureCsv.toString())))
            .build();

    List<Row> out = run(spec(entityCsv.toString(), table).addFeatures("driver_stats:trips"));

    assertThat(out.get(0).schema().fieldNames())
        .containsExactly("label", "driver", "event_timestamp", "driver_stats__trips");
    assertThat(out)
        .extracting(r -> r.get(0), r -> r.get(1), r -> r.get(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("x", 1L, at("10:30"), 10L),
            tuple("y", 2L, at("10:00"), 20L),
            tuple("z", 1L, at("11:00"), 11L));
  }

  @Test
  void knownAsOfKeepsABackfilledRowOutOfTraining() {
    String features =
        parquet(
            DRIVER_ROWS,
            row(1L, 1L, at("09:00"), at("09:00")),
            // Backfilled at 12:00 for event time 10:00.
            row(1L, 2L, at("10:00"), at("12:00")),
            // No created time: known from its event time on.
            row(2L, 3L, at("10:00"), null));
    String entities =
        parquet(
            ENTITY_ROWS,
            row(1L, at("11:00"), "before backfill"),
            row(1L, at("13:00"), "after backfill"),
            row(2L, at("11:00"), "no created time"));
    FeatureTableSpec table = driverStats(features, 0);

    List<Row> unrestricted = run(spec(entities, table).addFeatures("driver_stats:trips"));
    List<Row> fixedCutoff =
        run(
            spec(entities, table)
                .addFeatures("driver_stats:trips")
                .setKnownAsOf(timestamp(at("11:30"))));
    List<Row> perEntityRow =
        run(spec(entities, table).addFeatures("driver_stats:trips").setKnownAsOfEntityTime(true));

    assertThat(unrestricted)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("before backfill", 2L),
            tuple("after backfill", 2L),
            tuple("no created time", 3L));
    assertThat(fixedCutoff)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("before backfill", 1L),
            tuple("after backfill", 1L),
            tuple("no created time", 3L));
    assertThat(perEntityRow)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("before backfill", 1L),
            tuple("after backfill", 2L),
            tuple("no created time", 3L));
  }

  @Test
  void knownAsOfEntityTimeWithMaxAgeJudgesAgeByEventTime() {
    String features =
        parquet(
            DRIVER_ROWS,
            row(1L, 1L, at("08:00"), at("08:00")),
            row(1L, 2L, at("10:00"), at("10:59")));
    String entities =
        parquet(ENTITY_ROWS, row(1L, at("10:58"), "not yet known"), row(1L, at("11:00"), "known"));

    List<Row> out =
        run(
            spec(entities, driverStats(features, 3600))
                .addFeatures("driver_stats:trips")
                .setKnownAsOfEntityTime(true));

    // 10:58 may only see the 08:00 row, which is older than max_age: null, not the 10:00 row.
    assertThat(out)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(tuple("not yet known", null), tuple("known", 2L));
  }

  @Test
  void rowsTheSourceRejectsNeverMatch() {
    String features =
        parquet(
            DRIVER_ROWS,
            row(1L, 10L, at("10:00"), null),
            row(null, 99L, at("10:30"), null),
            row(1L, 98L, null, null));
    StructType nullableEntities =
        new StructType()
            .add("driver", DataTypes.LongType)
            .add("event_timestamp", DataTypes.TimestampType)
            .add("label", DataTypes.StringType);
    String entities =
        parquet(
            nullableEntities,
            row(1L, at("11:00"), "valid"),
            row(null, at("11:00"), "null key"),
            row(1L, null, "null time"));

    List<Row> out = run(spec(entities, driverStats(features, 0)).addFeatures("driver_stats:trips"));

    assertThat(out)
        .extracting(r -> r.getString(2), r -> r.get(3))
        .containsExactlyInAnyOrder(
            tuple("valid", 10L), tuple("null key", null), tuple("null time", null));
  }

  @Test
  void refusesAnEntitySourceWithoutTheNeededColumnsAndAnExistingOutput() throws IOException {
    String features = parquet(DRIVER_ROWS, row(1L, 10L, at("10:00"), null));
    StructType noTimestamp = new StructType().add("driver", DataTypes.LongType);
    StructType noDriver = new StructType().add("event_timestamp", DataTypes.TimestampType);
    FeatureTableSpec table = driverStats(features, 0);

    assertThatThrownBy(
            () -> run(spec(parquet(noTimestamp, row(1L)), table).addFeatures("driver_stats:trips")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entity_source: no \"event_timestamp\" column");
    assertThatThrownBy(
            () ->
                run(
                    spec(parquet(noDriver, row(at("10:00"))), table)
                        .addFeatures("driver_stats:trips")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entity_source: no column for entity \"driver\"");

    Path existing = Files.createDirectories(dir.resolve("already-there"));
    HistoricalRetrievalSpec spec =
        spec(parquet(ENTITY_ROWS, row(1L, at("10:00"), "x")), table)
            .addFeatures("driver_stats:trips")
            .setOutputPath(existing.toString())
            .build();
    assertThatThrownBy(() -> HistoricalRetrievalJob.run(spark, spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output_path: " + existing + " already exists");
  }

  @Test
  void reportsTheOutputPathAndRowCount() {
    String features = parquet(DRIVER_ROWS, row(1L, 10L, at("10:00"), null));
    String entities = parquet(ENTITY_ROWS, row(1L, at("10:00"), "a"), row(1L, at("10:00"), "a"));
    String output = dir.resolve("reported").toString();

    JobResult result =
        HistoricalRetrievalJob.run(
            spark,
            spec(entities, driverStats(features, 0))
                .addFeatures("driver_stats:trips")
                .setOutputPath(output)
                .build());

    assertThat(result.getJob()).isEqualTo("historical_retrieval");
    assertThat(result.getStatus()).isEqualTo("SUCCEEDED");
    assertThat(result.getOutputPath()).isEqualTo(output);
    assertThat(result.getRowsOutput()).isEqualTo(2);
    assertThat(result.getSeconds()).isPositive();
  }

  // --- fixtures ---

  private static List<Row> run(HistoricalRetrievalSpec.Builder spec) {
    String output = dir.resolve("out-" + paths.incrementAndGet()).toString();
    HistoricalRetrievalJob.run(spark, spec.setOutputPath(output).build());
    return spark.read().parquet(output).collectAsList();
  }

  private static HistoricalRetrievalSpec.Builder spec(String entitySource, FeatureTableSpec table) {
    return HistoricalRetrievalSpec.newBuilder()
        .addTables(table)
        .addEntities(DRIVER)
        .setEntitySource(EntitySource.newBuilder().setPath(entitySource));
  }

  private static FeatureTableSpec driverStats(String url, long maxAgeSeconds) {
    FeatureTableSpec.Builder table =
        FeatureTableSpec.newBuilder()
            .setName("driver_stats")
            .addEntities("driver")
            .addFeatures(feature("trips", ValueType.Enum.INT64))
            .setBatchSource(parquetSource(url, "ts", "created"));
    if (maxAgeSeconds > 0) {
      table.setMaxAge(Duration.newBuilder().setSeconds(maxAgeSeconds));
    }
    return table.build();
  }

  private static FeatureTableSpec pairTable(String name, String url, String feature) {
    return FeatureTableSpec.newBuilder()
        .setName(name)
        .addEntities("driver")
        .addEntities("customer")
        .addFeatures(feature(feature, ValueType.Enum.INT32))
        .setBatchSource(parquetSource(url, "ts", ""))
        .build();
  }

  private static DataSource parquetSource(String url, String eventColumn, String createdColumn) {
    return DataSource.newBuilder()
        .setType(DataSource.SourceType.BATCH_FILE)
        .setEventTimestampColumn(eventColumn)
        .setCreatedTimestampColumn(createdColumn)
        .setFileOptions(
            DataSource.FileOptions.newBuilder()
                .setFileUrl(url)
                .setFileFormat(
                    FileFormat.newBuilder()
                        .setParquetFormat(FileFormat.ParquetFormat.getDefaultInstance())))
        .build();
  }

  private static String parquet(StructType schema, Row... rows) {
    String path = dir.resolve("in-" + paths.incrementAndGet()).toString();
    spark.createDataFrame(Arrays.asList(rows), schema).write().parquet(path);
    return path;
  }

  private static Row row(Object... values) {
    return RowFactory.create(values);
  }

  private static Timestamp at(String hhmm) {
    return Timestamp.from(Instant.parse("2021-01-01T" + hhmm + ":00Z"));
  }

  private static com.google.protobuf.Timestamp timestamp(Timestamp time) {
    Instant instant = time.toInstant();
    return com.google.protobuf.Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static EntitySpecV2 entity(String name, ValueType.Enum type) {
    return EntitySpecV2.newBuilder().setName(name).setValueType(type).build();
  }

  private static FeatureSpecV2 feature(String name, ValueType.Enum type) {
    return FeatureSpecV2.newBuilder().setName(name).setValueType(type).build();
  }
}
