package io.larder.jobs.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_seconds;

import com.google.protobuf.Timestamp;
import io.larder.jobs.batch.BatchIngestionJob;
import io.larder.jobs.migration.LayoutMigrationJob;
import io.larder.jobs.spark.SparkSessions;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Batch ingestion of rows × features (one row per entity) into local Redis, in each online layout,
 * against a raw pipelined HSET loop writing the same hashes (same keys, fields and values) in the
 * same run.
 *
 * <p>{@code [--rows N] [--features F] [--dir D] [--redis URI] [--master M] [--pipeline P] [--rounds
 * R] [--layouts hash,packed] [--migrate true]}. With {@code --migrate true} the layout migration
 * job also moves the hash job's rows to packed and back, reported against the hash job's rate.
 */
public final class BatchIngestionBenchmark {

  private static final long BASE_EPOCH_SECONDS = 1_617_235_200L; // 2021-04-01T00:00:00Z

  private BatchIngestionBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    long rows = Long.parseLong(options.getOrDefault("rows", "1000000"));
    int features = Integer.parseInt(options.getOrDefault("features", "20"));
    Path dir = Path.of(options.getOrDefault("dir", "target/bench"));
    String redisUri =
        options.getOrDefault(
            "redis",
            "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379"));
    String master = options.getOrDefault("master", "local[2]");
    int pipeline = Integer.parseInt(options.getOrDefault("pipeline", "500"));
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
    List<OnlineLayout> layouts =
        Arrays.stream(options.getOrDefault("layouts", "hash,packed").split(","))
            .map(layout -> OnlineLayout.of(Map.of(OnlineLayout.LABEL, layout.trim())))
            .toList();
    boolean migrate = Boolean.parseBoolean(options.getOrDefault("migrate", "false"));
    String table = "bench_stats";
    Path data = dir.resolve("batch_rows%d_features%d.parquet".formatted(rows, features));

    SparkSession spark =
        SparkSessions.create(
            "batch-ingestion-benchmark", master, Map.of("spark.sql.shuffle.partitions", "8"));
    try (UnifiedJedis redis = RedisClient.create(URI.create(redisUri))) {
      if (!Files.exists(data)) {
        long generating = System.nanoTime();
        generate(spark, rows, features, data);
        System.out.printf("generated %s in %.1f s%n", data, seconds(generating));
      }

      String rawProject = "bench_raw_" + shortId();
      long raw = System.nanoTime();
      rawLoop(redis, rawProject, table, rows, features, pipeline);
      double rawSeconds = seconds(raw);
      deleteProject(redis, rawProject, table);

      // Each layout's job in turn, rounds alternating, on a fresh project each time; the fastest
      // run of each layout counts (the first round also warms the JVM and Spark).
      Map<OnlineLayout, Double> bestSeconds = new LinkedHashMap<>();
      Map<OnlineLayout, JobResult> bestResult = new HashMap<>();
      Map<OnlineLayout, Long> keysWritten = new HashMap<>();
      // The migration job over the hash job's rows: to packed, then back (best of rounds).
      double[] bestMigration = {Double.MAX_VALUE, Double.MAX_VALUE};
      for (int round = 0; round < rounds; round++) {
        for (OnlineLayout layout : layouts) {
          String jobProject = "bench_job_" + shortId();
          long job = System.nanoTime();
          JobResult result =
              BatchIngestionJob.run(
                  spark,
                  spec(jobProject, table, features, data.toString(), redisUri, pipeline, layout));
          double jobSeconds = seconds(job);
          keysWritten.put(layout, countKeys(redis, jobProject, table));
          if (migrate && layout == OnlineLayout.HASH) {
            FeatureTableSpec tableSpec =
                spec(jobProject, table, features, data.toString(), redisUri, pipeline, layout)
                    .getTable();
            String[][] moves = {{"hash", "packed"}, {"packed", "hash"}};
            for (int m = 0; m < moves.length; m++) {
              long moving = System.nanoTime();
              JobResult moved =
                  LayoutMigrationJob.run(
                      LayoutMigrationSpec.newBuilder()
                          .setProject(jobProject)
                          .setTable(tableSpec)
                          .setRedis(
                              RedisTarget.newBuilder().setUri(redisUri).setPipelineSize(pipeline))
                          .setFromLayout(moves[m][0])
                          .setToLayout(moves[m][1])
                          .build());
              double movingSeconds = seconds(moving);
              bestMigration[m] = Math.min(bestMigration[m], movingSeconds);
              System.out.printf(
                  "  round %d, migration %s -> %s: %.1f s (%.0f rows/s; copied %d, removed %d)%n",
                  round + 1,
                  moves[m][0],
                  moves[m][1],
                  movingSeconds,
                  rows / movingSeconds,
                  moved.getRowsWritten(),
                  moved.getRowsRemoved());
            }
          }
          deleteProject(redis, jobProject, table);
          System.out.printf(
              "  round %d, %s layout: %.1f s (%.0f rows/s)%n",
              round + 1, layout.label(), jobSeconds, rows / jobSeconds);
          if (jobSeconds < bestSeconds.getOrDefault(layout, Double.MAX_VALUE)) {
            bestSeconds.put(layout, jobSeconds);
            bestResult.put(layout, result);
          }
        }
      }

      double rawRate = rows / rawSeconds;
      System.out.printf(
          "%nrows%d_features%d (%s, pipeline %d, best of %d rounds)%n",
          rows, features, master, pipeline, rounds);
      System.out.printf(
          "  raw pipelined HSET loop : %10.0f rows/s  (%.1f s)%n", rawRate, rawSeconds);
      bestSeconds.forEach(
          (layout, jobSeconds) -> {
            JobResult result = bestResult.get(layout);
            System.out.printf(
                "  batch job, %-6s layout : %10.0f rows/s  (%.1f s wall, %.1f s in job; read %d,"
                    + " written %d, not newer %d; %d keys in Redis)%n",
                layout.label(),
                rows / jobSeconds,
                jobSeconds,
                result.getSeconds(),
                result.getRowsRead(),
                result.getRowsWritten(),
                result.getRowsNotNewer(),
                keysWritten.get(layout));
          });
      Double hashSeconds = bestSeconds.get(OnlineLayout.HASH);
      if (hashSeconds != null) {
        System.out.printf(
            "  hash job / raw          : %10.1f %% (target >= 30 %%)%n",
            100 * (rows / hashSeconds) / rawRate);
      }
      if (migrate && hashSeconds != null) {
        System.out.printf(
            "  migration hash->packed  : %10.0f rows/s  (%.1f s; %.2fx the hash batch job's rate)%n",
            rows / bestMigration[0], bestMigration[0], hashSeconds / bestMigration[0]);
        System.out.printf(
            "  migration packed->hash  : %10.0f rows/s  (%.1f s; %.2fx the hash batch job's rate)%n",
            rows / bestMigration[1], bestMigration[1], hashSeconds / bestMigration[1]);
      }
      Double packedSeconds = bestSeconds.get(OnlineLayout.PACKED);
      if (hashSeconds != null && packedSeconds != null) {
        System.out.printf(
            "  packed / hash job       : %10.2fx (target >= 1.5x)%n", hashSeconds / packedSeconds);
      }
    } finally {
      spark.stop();
    }
  }

  private static void generate(SparkSession spark, long rows, int features, Path data) {
    List<Column> columns = new ArrayList<>();
    columns.add(col("id").as("entity_id"));
    for (int f = 0; f < features; f++) {
      columns.add(col("id").multiply(f + 1).plus(0.5).as("f" + f));
    }
    columns.add(
        timestamp_seconds(lit(BASE_EPOCH_SECONDS).plus(col("id").mod(86_400)))
            .as("event_timestamp"));
    spark.range(rows).select(columns.toArray(Column[]::new)).write().parquet(data.toString());
  }

  /** The hashes the job writes for the generated rows, HSET in pipelines from one thread. */
  private static void rawLoop(
      UnifiedJedis redis, String project, String table, long rows, int features, int pipeline) {
    byte[][] fields = new byte[features][];
    for (int f = 0; f < features; f++) {
      fields[f] = OnlineStoreKeys.featureField(table, "f" + f);
    }
    byte[] tsField = OnlineStoreKeys.timestampField(table);
    AbstractPipeline batch = redis.pipelined();
    for (long id = 0; id < rows; id++) {
      Map<byte[], byte[]> hash = new LinkedHashMap<>();
      for (int f = 0; f < features; f++) {
        hash.put(
            fields[f], Value.newBuilder().setDoubleVal(id * (f + 1) + 0.5).build().toByteArray());
      }
      hash.put(
          tsField,
          Timestamp.newBuilder()
              .setSeconds(BASE_EPOCH_SECONDS + id % 86_400)
              .build()
              .toByteArray());
      byte[] key =
          OnlineStoreKeys.entityKey(
              project, Map.of("entity_id", Value.newBuilder().setInt64Val(id).build()));
      batch.hset(key, hash);
      if ((id + 1) % pipeline == 0) {
        batch.sync();
      }
    }
    batch.close();
  }

  private static BatchIngestionSpec spec(
      String project,
      String table,
      int features,
      String url,
      String redisUri,
      int pipeline,
      OnlineLayout layout) {
    FeatureTableSpec.Builder spec =
        FeatureTableSpec.newBuilder()
            .setName(table)
            .putLabels(OnlineLayout.LABEL, layout.label())
            .addEntities("entity_id")
            .setBatchSource(
                DataSource.newBuilder()
                    .setType(DataSource.SourceType.BATCH_FILE)
                    .setEventTimestampColumn("event_timestamp")
                    .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(url)));
    for (int f = 0; f < features; f++) {
      spec.addFeatures(
          FeatureSpecV2.newBuilder().setName("f" + f).setValueType(ValueType.Enum.DOUBLE));
    }
    return BatchIngestionSpec.newBuilder()
        .setProject(project)
        .setTable(spec)
        .addEntities(
            EntitySpecV2.newBuilder().setName("entity_id").setValueType(ValueType.Enum.INT64))
        .setRedis(RedisTarget.newBuilder().setUri(redisUri).setPipelineSize(pipeline))
        .build();
  }

  private static long countKeys(UnifiedJedis redis, String project, String table) {
    long[] count = {0};
    scanProject(redis, project, table, keys -> count[0] += keys.size());
    return count[0];
  }

  private static void deleteProject(UnifiedJedis redis, String project, String table) {
    scanProject(
        redis,
        project,
        table,
        keys -> {
          if (!keys.isEmpty()) {
            redis.unlink(keys.toArray(byte[][]::new));
          }
        });
  }

  /** The project's keys of either layout: hashes, and the table's packed rows. */
  private static void scanProject(
      UnifiedJedis redis,
      String project,
      String table,
      java.util.function.Consumer<List<byte[]>> page) {
    // RedisKeyV2 starts with field 1: tag 0x0a, length, the project's bytes.
    byte[] name = project.getBytes(StandardCharsets.UTF_8);
    byte[] pattern = new byte[name.length + 3];
    pattern[0] = 0x0a;
    pattern[1] = (byte) name.length;
    System.arraycopy(name, 0, pattern, 2, name.length);
    pattern[pattern.length - 1] = '*';
    scanMatching(redis, pattern, page);
    scanMatching(redis, PackedRows.key(PackedRows.keyPrefix(table), pattern), page);
  }

  private static void scanMatching(
      UnifiedJedis redis, byte[] pattern, java.util.function.Consumer<List<byte[]>> page) {
    ScanParams params = new ScanParams().match(pattern).count(5000);
    byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
    do {
      ScanResult<byte[]> result = redis.scan(cursor, params);
      page.accept(result.getResult());
      cursor = result.getCursorAsBytes();
    } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "usage: [--rows N] [--features F] [--dir D] [--redis URI] [--master M] [--pipeline P]"
                + " [--rounds R] [--layouts hash,packed] [--migrate true]");
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }

  private static String shortId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 8);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
