package io.larder.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.xxhash64;

import com.google.protobuf.Duration;
import io.larder.jobs.historical.HistoricalRetrievalJob;
import io.larder.jobs.spark.SparkSessions;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.EntitySource;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Point-in-time retrieval, {@code entities} entity rows against {@code tables} tables of {@code
 * featureRows} rows each, against a baseline measured in the same JVM: a Spark job that reads the
 * same inputs in full (the columns the join reads) and writes an output of the same row count and
 * columns, with no join. Prints both wall times and their ratio.
 *
 * <p>Arguments (all optional): {@code --data DIR} (generated once, reused while the shape is the
 * same), {@code --out DIR}, {@code --entities N} (1000000), {@code --feature-rows N} (5000000),
 * {@code --tables N} (3), {@code --keys N} distinct entity keys (100000), {@code --master M}
 * (local[2]), {@code --rounds N} (5; the first warms up, the median of the others is reported),
 * {@code --conf k=v}...
 */
public final class HistoricalRetrievalBenchmark {

  private static final int FEATURES_PER_TABLE = 5;
  private static final long BASE_EPOCH_SECONDS = 1_609_459_200L; // 2021-01-01T00:00:00Z
  private static final long SPAN_SECONDS = 30L * 24 * 3600;
  private static final EntitySpecV2 DRIVER =
      EntitySpecV2.newBuilder().setName("driver").setValueType(ValueType.Enum.INT64).build();

  private HistoricalRetrievalBenchmark() {}

  record Shape(long entities, long featureRows, int tables, long keys) {
    String describe() {
      return "entities=%d feature_rows=%d tables=%d keys=%d features_per_table=%d"
          .formatted(entities, featureRows, tables, keys, FEATURES_PER_TABLE);
    }
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> options = new HashMap<>();
    Map<String, String> conf = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--conf")) {
        String[] kv = args[i + 1].split("=", 2);
        conf.put(kv[0], kv[1]);
      } else {
        options.put(args[i], args[i + 1]);
      }
    }
    Shape shape =
        new Shape(
            Long.parseLong(options.getOrDefault("--entities", "1000000")),
            Long.parseLong(options.getOrDefault("--feature-rows", "5000000")),
            Integer.parseInt(options.getOrDefault("--tables", "3")),
            Long.parseLong(options.getOrDefault("--keys", "100000")));
    Path data = Path.of(options.getOrDefault("--data", "target/bench/historical-data"));
    Path out =
        Path.of(
            options.getOrDefault(
                "--out", "target/bench/historical-out-" + System.currentTimeMillis()));
    String master = options.getOrDefault("--master", "local[2]");
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "5"));

    SparkSession spark = SparkSessions.create("historical-retrieval-benchmark", master, conf);
    try {
      generateOnce(spark, data, shape);
      System.out.println(
          "historical_retrieval benchmark: " + shape.describe() + " master=" + master);
      // Round 1 pays JIT and Spark's first-job costs on both sides; the median of the later rounds
      // is the figure, as one round on a shared 2-core machine varies by a second either way.
      List<Double> baselineSeconds = new ArrayList<>();
      List<Double> pitSeconds = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        String baselineOut = out.resolve("baseline-" + round).toString();
        long baselineNanos = timed(() -> baseline(spark, data, shape, baselineOut));
        HistoricalRetrievalSpec spec = spec(data, shape, out.resolve("pit-" + round).toString());
        JobResult[] result = new JobResult[1];
        long pitNanos = timed(() -> result[0] = HistoricalRetrievalJob.run(spark, spec));
        long baselineRows = spark.read().parquet(baselineOut).count();
        double ratio = (double) pitNanos / baselineNanos;
        System.out.printf(
            Locale.ROOT,
            "  round %d: baseline (read inputs, write same-size output) %6.1f s rows=%d |"
                + " point-in-time join %6.1f s rows=%d | ratio %.2fx%n",
            round,
            baselineNanos / 1e9,
            baselineRows,
            pitNanos / 1e9,
            result[0].getRowsOutput(),
            ratio);
        if (round > 1 || rounds == 1) {
          baselineSeconds.add(baselineNanos / 1e9);
          pitSeconds.add(pitNanos / 1e9);
          ratios.add(ratio);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "  median of %d warm rounds: baseline %.1f s, point-in-time join %.1f s,"
              + " ratio pit/baseline %.2fx (target <= 4x)%n",
          ratios.size(),
          median(baselineSeconds),
          median(pitSeconds),
          median(ratios));
    } finally {
      spark.stop();
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static long timed(Runnable work) {
    long start = System.nanoTime();
    work.run();
    return System.nanoTime() - start;
  }

  /** Writes entity and feature parquet under {@code data} unless the same shape is there. */
  static void generateOnce(SparkSession spark, Path data, Shape shape) throws IOException {
    Path marker = data.resolve("_shape");
    if (Files.exists(marker) && Files.readString(marker).equals(shape.describe())) {
      System.out.println("reusing " + data + " (" + shape.describe() + ")");
      return;
    }
    System.out.println("generating " + data + " (" + shape.describe() + ")");
    for (int t = 0; t < shape.tables(); t++) {
      Column eventSeconds =
          lit(BASE_EPOCH_SECONDS)
              .plus(pmod(xxhash64(col("id"), lit(t), lit(1)), lit(SPAN_SECONDS)));
      List<Column> columns = new ArrayList<>();
      columns.add(pmod(xxhash64(col("id"), lit(t)), lit(shape.keys())).as("driver"));
      columns.add(timestamp_seconds(eventSeconds).as("ts"));
      // Created up to an hour after the event, so created-time ordering has work to do.
      columns.add(
          timestamp_seconds(eventSeconds.plus(pmod(xxhash64(col("id"), lit(t), lit(2)), lit(3600))))
              .as("created"));
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        Column value = rand(31L * t + f);
        columns.add(
            (f % 2 == 0 ? value : value.multiply(1000).cast(DataTypes.LongType))
                .as(featureName(t, f)));
      }
      spark
          .range(shape.featureRows())
          .select(columns.toArray(Column[]::new))
          .write()
          .mode("overwrite")
          .parquet(data.resolve("table_" + t).toString());
    }
    spark
        .range(shape.entities())
        .select(
            pmod(xxhash64(col("id"), lit(99)), lit(shape.keys())).as("driver"),
            timestamp_seconds(
                    lit(BASE_EPOCH_SECONDS)
                        .plus(pmod(xxhash64(col("id"), lit(98)), lit(SPAN_SECONDS))))
                .as("event_timestamp"))
        .write()
        .mode("overwrite")
        .parquet(data.resolve("entities").toString());
    Files.writeString(marker, shape.describe(), StandardCharsets.UTF_8);
  }

  static HistoricalRetrievalSpec spec(Path data, Shape shape, String output) {
    HistoricalRetrievalSpec.Builder spec =
        HistoricalRetrievalSpec.newBuilder()
            .addEntities(DRIVER)
            .setEntitySource(EntitySource.newBuilder().setPath(data.resolve("entities").toString()))
            .setOutputPath(output);
    for (int t = 0; t < shape.tables(); t++) {
      FeatureTableSpec.Builder table =
          FeatureTableSpec.newBuilder()
              .setName("table_" + t)
              .addEntities("driver")
              .setBatchSource(
                  DataSource.newBuilder()
                      .setType(DataSource.SourceType.BATCH_FILE)
                      .setEventTimestampColumn("ts")
                      .setCreatedTimestampColumn("created")
                      .setFileOptions(
                          DataSource.FileOptions.newBuilder()
                              .setFileUrl(data.resolve("table_" + t).toString())));
      // One table without max_age, the others with 1 and 7 days: both code paths run.
      if (t > 0) {
        table.setMaxAge(Duration.newBuilder().setSeconds(t == 1 ? 86_400 : 7 * 86_400));
      }
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        table.addFeatures(
            FeatureSpecV2.newBuilder()
                .setName(featureName(t, f))
                .setValueType(f % 2 == 0 ? ValueType.Enum.DOUBLE : ValueType.Enum.INT64));
        spec.addFeatures("table_" + t + ":" + featureName(t, f));
      }
      spec.addTables(table);
    }
    return spec.build();
  }

  /**
   * Reads every input in full (the columns the join reads) and writes the entity rows with one
   * synthetic column per feature: the same row count and columns as the join's output.
   */
  static void baseline(SparkSession spark, Path data, Shape shape, String output) {
    for (int t = 0; t < shape.tables(); t++) {
      spark
          .read()
          .parquet(data.resolve("table_" + t).toString())
          .write()
          .format("noop")
          .mode("overwrite")
          .save();
    }
    Dataset<Row> entities = spark.read().parquet(data.resolve("entities").toString());
    List<Column> columns = new ArrayList<>();
    columns.add(col("driver"));
    columns.add(col("event_timestamp"));
    for (int t = 0; t < shape.tables(); t++) {
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        Column value = rand(7L * t + f);
        columns.add(
            (f % 2 == 0 ? value : value.multiply(1000).cast(DataTypes.LongType))
                .as("table_" + t + "__" + featureName(t, f)));
      }
    }
    entities.select(columns.toArray(Column[]::new)).write().parquet(output);
  }

  private static String featureName(int table, int feature) {
    return "t" + table + "_f" + feature;
  }
}
