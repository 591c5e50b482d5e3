package io.larder.jobs.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.larder.jobs.spec.JobSpecs;
import io.larder.onlinestore.OnlineRowWriter;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import io.larder.proto.larder.JobsProto.LayoutMigrationSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/** The migration job's two passes around the switch, against the stack's Redis. */
@Timeout(60)
class LayoutMigrationJobIT {

  private static final String URI =
      "redis://127.0.0.1:" + System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379");
  private static final long NOW = System.currentTimeMillis() / 1000;
  private static UnifiedJedis redis;

  private final String project = "migrate_" + UUID.randomUUID().toString().substring(0, 8);
  private final FeatureTableSpec table =
      FeatureTableSpec.newBuilder()
          .setName("stats")
          .addEntities("driver_id")
          .addFeatures(
              FeatureSpecV2.newBuilder().setName("trips").setValueType(ValueType.Enum.INT64))
          .setMaxAge(Duration.newBuilder().setSeconds(3600))
          .build();

  @TempDir Path dir;

  @BeforeAll
  static void connect() {
    redis = new UnifiedJedis(java.net.URI.create(URI));
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  @AfterEach
  void clean() {
    for (long driver = 1; driver <= 3; driver++) {
      redis.del(key(driver));
      redis.del(packedKey(driver));
    }
  }

  @Test
  void copiesWaitsForTheSwitchCopiesWhatChangedMeanwhileAndRemovesTheOldRows() throws Exception {
    writeHash(1, 10, NOW - 60);
    writeHash(2, 20, NOW - 60);
    Path progress = dir.resolve("progress.json");
    Path proceed = dir.resolve("proceed");
    LayoutMigrationSpec spec =
        spec("hash", "packed")
            .setProgressPath(progress.toString())
            .setProceedPath(proceed.toString())
            .build();

    CompletableFuture<JobResult> job =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LayoutMigrationJob.run(spec);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    JobResult waiting = awaitReady(progress);
    assertThat(waiting.getStatus()).isEqualTo("RUNNING");
    assertThat(waiting.getRowsWritten()).isEqualTo(2);
    assertThat(waiting.getPhase()).contains("waiting for the switch");
    assertThat(packed(1).getFeatures(0).getValue().getInt64Val()).isEqualTo(10);

    // An old-layout writer still at work before the switch: its row must reach the new layout.
    writeHash(1, 11, NOW - 10);
    writeHash(3, 30, NOW - 10);
    assertThat(job).isNotDone();
    Files.writeString(proceed, "go\n");
    JobResult done = job.get(30, TimeUnit.SECONDS);

    assertThat(done.getStatus()).isEqualTo("SUCCEEDED");
    assertThat(done.getPhase()).isEqualTo("done");
    assertThat(done.getRowsWritten()).isEqualTo(4);
    assertThat(done.getRowsRemoved()).isEqualTo(3);
    assertThat(packed(1).getFeatures(0).getValue().getInt64Val()).isEqualTo(11);
    assertThat(packed(3).getFeatures(0).getValue().getInt64Val()).isEqualTo(30);
    assertThat(redis.exists(key(1))).isFalse();
  }

  @Test
  void withoutAProceedFileBothPassesRunAtOnceAndPackedRowsGoBackToHashes() throws Exception {
    writeHash(1, 10, NOW - 60);
    LayoutMigrationJob.run(spec("hash", "packed").build());

    JobResult back = LayoutMigrationJob.run(spec("packed", "hash").build());

    assertThat(back.getRowsWritten()).isEqualTo(1);
    assertThat(back.getRowsRemoved()).isEqualTo(1);
    assertThat(redis.hget(key(1), OnlineStoreKeys.featureField("stats", "trips")))
        .isEqualTo(Value.newBuilder().setInt64Val(10).build().toByteArray());
    assertThat(packed(1)).isNull();
  }

  @Test
  void aSpecThatNamesNoMoveIsRefused() {
    assertThatThrownBy(() -> LayoutMigrationJob.run(spec("packed", "packed").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing to move");
    assertThatThrownBy(() -> LayoutMigrationJob.run(spec("hash", "columnar").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spec.to_layout");
  }

  private LayoutMigrationSpec.Builder spec(String from, String to) {
    return LayoutMigrationSpec.newBuilder()
        .setProject(project)
        .setTable(table)
        .setRedis(RedisTarget.newBuilder().setUri(URI))
        .setFromLayout(from)
        .setToLayout(to);
  }

  private static JobResult awaitReady(Path progress) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (Files.exists(progress)) {
        JobResult report = JobSpecs.parse(Files.readString(progress), JobResult.newBuilder());
        if (report.getReady()) {
          return report;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the job never reported its first copy done");
  }

  private void writeHash(long driver, long trips, long eventSeconds) {
    redis.hset(
        key(driver),
        OnlineRowWriter.fields(
            "stats",
            Map.of("trips", Value.newBuilder().setInt64Val(trips).build()),
            seconds(eventSeconds),
            seconds(eventSeconds + 3600)));
  }

  private PackedRow packed(long driver) throws Exception {
    byte[] stored = redis.get(packedKey(driver));
    return stored == null ? null : PackedRow.parseFrom(stored);
  }

  private byte[] key(long driver) {
    return OnlineStoreKeys.entityKey(
        project, Map.of("driver_id", Value.newBuilder().setInt64Val(driver).build()));
  }

  private byte[] packedKey(long driver) {
    return PackedRows.key(PackedRows.keyPrefix("stats"), key(driver));
  }

  private static Timestamp seconds(long seconds) {
    return Timestamp.newBuilder().setSeconds(seconds).build();
  }
}
