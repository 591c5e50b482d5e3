package io.larder.loadtest.generate;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.larder.loadtest.redis.RedisConnections;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.ShapeOptions;
import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.core.CoreServiceGrpc;
import io.larder.proto.core.CoreServiceProto.ApplyFeatureTableRequest;
import io.larder.sdk.cli.DurationConverter;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fills Redis with the benchmark data (N entities x tables x features, through the shared encoding:
 * one HSET of every table's fields plus EXPIREAT per entity, pipelined) and registers the matching
 * entity and feature tables in the registry, so the gateway serves them.
 *
 * <p>It overwrites whatever the project held: the layout's "skip a row that is not newer" rule is
 * for ingestion, where replays race; the generator owns its project.
 */
@Command(
    name = "data-generator",
    mixinStandardHelpOptions = true,
    description = "Writes the load-test data to Redis and registers its tables.")
public final class DataGenerator implements Callable<Integer> {

  @Mixin ShapeOptions shapeOptions;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      description = "Redis URI (default: ${DEFAULT-VALUE}).")
  String redis;

  @Option(
      names = "--registry",
      defaultValue = "127.0.0.1:6565",
      description = "Registry gRPC host:port (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(
      names = "--token",
      defaultValue = "${env:LARDER_TOKEN}",
      description = "Bearer token for a registry with authentication on (env LARDER_TOKEN).")
  String token;

  @Option(names = "--no-registry", description = "Do not register the entity and tables.")
  boolean noRegistry;

  @Option(
      names = "--max-age",
      defaultValue = "30d",
      converter = DurationConverter.class,
      description =
          "Tables' max age (the gateway parses _ts:<table> per row to check it) and keys' expiry;"
              + " 0 = none (default: ${DEFAULT-VALUE}).")
  Duration maxAge;

  @Option(
      names = "--batch",
      defaultValue = "1000",
      description = "Entities per pipelined batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--skip-if-present",
      description = "Skip writing when the project's marker says the same shape was generated.")
  boolean skipIfPresent;

  @Option(names = "--delete", description = "Delete the project's generated keys instead.")
  boolean delete;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DataGenerator()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    BenchmarkShape shape = shapeOptions.shape();
    try (RedisConnections redisConnections = RedisConnections.open(redis, Duration.ofSeconds(30))) {
      StatefulRedisConnection<byte[], byte[]> connection = redisConnections.connection();
      if (delete) {
        delete(connection, shape);
        return 0;
      }
      if (!noRegistry) {
        register(shape);
      }
      byte[] marker = markerKey(shape);
      byte[] description = describe(shape).getBytes(StandardCharsets.UTF_8);
      byte[] stored = connection.sync().get(marker);
      if (skipIfPresent && Arrays.equals(stored, description)) {
        System.out.printf("data already generated for %s; skipping%n", describe(shape));
        return 0;
      }
      write(connection, shape, marker, description);
    }
    return 0;
  }

  private void register(BenchmarkShape shape) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(registry).usePlaintext().build();
    try {
      CoreServiceGrpc.CoreServiceBlockingStub core =
          CoreServiceGrpc.newBlockingStub(channel).withWaitForReady();
      if (token != null && !token.isBlank()) {
        Metadata headers = new Metadata();
        headers.put(
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        core = core.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      core.withDeadlineAfter(30, TimeUnit.SECONDS).applyEntity(RegistrySpecs.entity(shape));
      for (ApplyFeatureTableRequest table : RegistrySpecs.featureTables(shape, maxAge)) {
        core.withDeadlineAfter(30, TimeUnit.SECONDS).applyFeatureTable(table);
      }
      System.out.printf(
          "registered entity %s and %d feature tables in project %s at %s%n",
          shape.entityName(), shape.tables(), shape.project(), registry);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void write(
      StatefulRedisConnection<byte[], byte[]> connection,
      BenchmarkShape shape,
      byte[] marker,
      byte[] description) {
    Instant now = Instant.now();
    Timestamp eventTime = timestamp(now);
    Timestamp expiry = maxAge.isZero() ? null : timestamp(now.plus(maxAge));
    long start = System.nanoTime();
    RedisAsyncCommands<byte[], byte[]> async = connection.async();
    // Manual flushing so a whole batch goes out in one write; one batch stays in flight while the
    // next is built.
    connection.setAutoFlushCommands(false);
    List<RedisFuture<?>> previous = List.of();
    try {
      for (long from = 0; from < shape.entities(); from += batch) {
        long to = Math.min(shape.entities(), from + batch);
        List<RedisFuture<?>> current = new ArrayList<>((int) (to - from) * 2);
        for (long id = from; id < to; id++) {
          if (shape.layout() == OnlineLayout.PACKED) {
            byte[][] rows = BenchmarkRows.packedRows(shape, id, eventTime);
            for (int table = 0; table < rows.length; table++) {
              SetArgs args =
                  expiry == null ? new SetArgs() : SetArgs.Builder.exAt(expiry.getSeconds());
              current.add(async.set(shape.packedKey(id, table), rows[table], args));
            }
            continue;
          }
          byte[] key = shape.entityKey(id);
          current.add(async.hset(key, BenchmarkRows.fields(shape, id, eventTime, expiry)));
          current.add(
              expiry == null ? async.persist(key) : async.expireat(key, expiry.getSeconds()));
        }
        connection.flushCommands();
        await(previous);
        previous = current;
        if (to % 100_000 == 0) {
          System.out.printf(Locale.ROOT, "  %,d entities written%n", to);
        }
      }
      await(previous);
      List<RedisFuture<?>> markerWrites = new ArrayList<>();
      markerWrites.add(async.set(marker, description));
      if (expiry != null) {
        markerWrites.add(async.expireat(marker, expiry.getSeconds()));
      }
      connection.flushCommands();
      await(markerWrites);
    } finally {
      connection.setAutoFlushCommands(true);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "wrote %,d entities x %d features (%d tables) in %.1f s (%.0f entities/s) for %s%n",
        shape.entities(),
        shape.totalFeatures(),
        shape.tables(),
        seconds,
        shape.entities() / seconds,
        describe(shape));
  }

  private void delete(StatefulRedisConnection<byte[], byte[]> connection, BenchmarkShape shape) {
    RedisAsyncCommands<byte[], byte[]> async = connection.async();
    connection.setAutoFlushCommands(false);
    long deleted = 0;
    try {
      for (long from = 0; from < shape.entities(); from += batch) {
        long to = Math.min(shape.entities(), from + batch);
        List<byte[]> keyList = new ArrayList<>();
        for (long id = from; id < to; id++) {
          keyList.add(shape.entityKey(id));
          for (int table = 0; table < shape.tables(); table++) {
            keyList.add(shape.packedKey(id, table));
          }
        }
        byte[][] keys = keyList.toArray(byte[][]::new);
        RedisFuture<Long> removed = async.del(keys);
        connection.flushCommands();
        await(List.of(removed));
        deleted += removed.toCompletableFuture().join();
      }
      RedisFuture<Long> marker = async.del(markerKey(shape));
      connection.flushCommands();
      await(List.of(marker));
    } finally {
      connection.setAutoFlushCommands(true);
    }
    System.out.printf(Locale.ROOT, "deleted %,d keys of project %s%n", deleted, shape.project());
  }

  private static void await(List<RedisFuture<?>> futures) {
    if (futures.isEmpty()) {
      return;
    }
    if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), futures.toArray(RedisFuture[]::new))) {
      throw new IllegalStateException("Redis did not acknowledge a batch within 60 s");
    }
    for (RedisFuture<?> future : futures) {
      // Surfaces a failed command (e.g. OOM, WRONGTYPE) instead of reporting success.
      future.toCompletableFuture().join();
    }
  }

  /** A plain string key outside the layout's hashes, telling what was generated. */
  static byte[] markerKey(BenchmarkShape shape) {
    return ("larder-loadtest:" + shape.project()).getBytes(StandardCharsets.UTF_8);
  }

  static String describe(BenchmarkShape shape) {
    return "project=%s entity=%s entities=%d tables=%d features_per_table=%d%s"
        .formatted(
            shape.project(),
            shape.entityName(),
            shape.entities(),
            shape.tables(),
            shape.featuresPerTable(),
            // Unchanged for the hash layout, so existing markers still match.
            shape.layout() == OnlineLayout.HASH ? "" : " layout=" + shape.layout().label());
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
