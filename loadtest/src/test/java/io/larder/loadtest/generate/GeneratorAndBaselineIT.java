package io.larder.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.baseline.RawRedisBaseline;
import io.larder.loadtest.redis.RedisConnections;
import io.larder.loadtest.report.LoadReport;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineRowReader;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.lettuce.core.KeyValue;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Generator and baseline against the real Redis of scripts/stack, on a tiny private project. */
class GeneratorAndBaselineIT {

  private static final String REDIS =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");

  @TempDir Path dir;

  private final String project = "loadtest-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final BenchmarkShape shape = new BenchmarkShape(project, "entity_id", 200, 5, 10);

  @AfterEach
  void deleteTheProjectsKeys() {
    new CommandLine(new DataGenerator()).execute(shapeArgs("--delete"));
  }

  @Test
  void generatedRowsReadBackPresentThroughTheSharedEncodingAndTheBaselineFindsThemAll()
      throws Exception {
    int exit = new CommandLine(new DataGenerator()).execute(shapeArgs("--no-registry"));
    assertThat(exit).isZero();

    try (RedisConnections redis = RedisConnections.open(REDIS, Duration.ofSeconds(5))) {
      RedisCommands<byte[], byte[]> sync = redis.connection().sync();
      byte[] key = shape.entityKey(199);
      List<KeyValue<byte[], byte[]>> stored =
          sync.hmget(
              key,
              OnlineStoreKeys.timestampField("table_3"),
              OnlineStoreKeys.featureField("table_3", "feature_7"));
      OnlineRowReader.Freshness freshness =
          OnlineRowReader.freshness(
              stored.get(0).getValue(),
              TimeUnit.DAYS.toNanos(30),
              TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()));
      OnlineRowReader.FeatureValue value =
          OnlineRowReader.read(stored.get(1).getValue(), shape.featureType(7), freshness);
      assertThat(value.status()).isEqualTo(FieldStatus.PRESENT);
      assertThat(value.value()).isEqualTo(shape.featureValue(199, 3, 7));
      assertThat(sync.ttl(key)).isBetween(29L * 86_400, 30L * 86_400);
    }

    Path results = dir.resolve("baseline.txt");
    int baseline =
        new CommandLine(new RawRedisBaseline())
            .execute(
                concat(
                    shapeArgs(),
                    "--mode",
                    "closed",
                    "--concurrency",
                    "4",
                    "--rows",
                    "10",
                    "--warmup",
                    "100ms",
                    "--duration",
                    "300ms",
                    "--results",
                    results.toString()));
    assertThat(baseline).isZero();
    Map<String, String> report = LoadReport.parseResultLine(Files.readAllLines(results).get(0));
    assertThat(report).containsEntry("errors", "0").containsEntry("present", "1.000");
    assertThat(Long.parseLong(report.get("ok"))).isPositive();
  }

  @Test
  void deletingRemovesEveryGeneratedKey() {
    new CommandLine(new DataGenerator()).execute(shapeArgs("--no-registry"));

    new CommandLine(new DataGenerator()).execute(shapeArgs("--delete"));

    try (RedisConnections redis = RedisConnections.open(REDIS, Duration.ofSeconds(5))) {
      assertThat(redis.connection().sync().exists(shape.entityKey(0), shape.entityKey(199)))
          .isZero();
      assertThat(redis.connection().sync().exists(DataGenerator.markerKey(shape))).isZero();
    }
  }

  private String[] shapeArgs(String... more) {
    return concat(new String[] {"--redis", REDIS, "--project", project, "--entities", "200"}, more);
  }

  private static String[] concat(String[] first, String... second) {
    String[] all = new String[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }
}
