package io.larder.loadtest.baseline;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.driver.LoadOptions;
import io.larder.loadtest.redis.RedisConnections;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.EntityIds;
import io.larder.loadtest.shape.ShapeOptions;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.AsyncCommand;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The raw-Redis baseline: a Lettuce loop sending, per request, exactly the HMGETs the gateway sends
 * for it ({@link HmgetRequests}), all in one pipelined write on one shared connection, under the
 * same load model as the gateway driver. What the gateway adds on top is the ratio to this.
 */
@Command(
    name = "raw-redis-baseline",
    mixinStandardHelpOptions = true,
    description = "Pipelined HMGETs straight to Redis, shaped like gateway requests.")
public final class RawRedisBaseline implements Callable<Integer> {

  @Mixin ShapeOptions shapeOptions;
  @Mixin LoadOptions load;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      description = "Redis URI (default: ${DEFAULT-VALUE}).")
  String redis;

  @Option(
      names = "--same-entities",
      description =
          "Every request reads the same entities (EntityIds.spread), as a load tool repeating one"
              + " request body does; the RESULT line's target is then redis_same.")
  boolean sameEntities;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RawRedisBaseline()).execute(args));
  }

  @Override
  public Integer call() {
    BenchmarkShape shape = shapeOptions.shape();
    try (RedisConnections redisConnections = RedisConnections.open(redis, load.deadline())) {
      StatefulRedisConnection<byte[], byte[]> connection = redisConnections.connection();
      load.runEach(
          shape,
          sameEntities ? "redis_same" : "redis",
          "hmget",
          requests -> {
            HmgetRequests hmgets = new HmgetRequests(shape, requests.rows(), requests.features());
            Supplier<long[]> ids =
                sameEntities
                    ? () -> EntityIds.spread(hmgets.rows(), shape.entities())
                    : () -> EntityIds.distinct(hmgets.rows(), shape.entities());
            return () -> send(connection, hmgets, ids.get(), load.deadline().toNanos());
          },
          RawRedisBaseline::classify);
    }
    return 0;
  }

  private static CompletableFuture<CallResult> send(
      StatefulRedisConnection<byte[], byte[]> connection,
      HmgetRequests hmgets,
      long[] ids,
      long deadlineNanos) {
    List<AsyncCommand<byte[], byte[], List<byte[]>>> commands = hmgets.commands(ids);
    // One write and flush for the whole request, as the gateway's store does.
    connection.dispatch(commands);
    return CompletableFuture.allOf(commands.toArray(CompletableFuture[]::new))
        .orTimeout(deadlineNanos, TimeUnit.NANOSECONDS)
        .thenApply(done -> HmgetRequests.tally(commands));
  }

  static String classify(Throwable error) {
    if (error instanceof RedisCommandTimeoutException || error instanceof TimeoutException) {
      return "TIMEOUT";
    }
    if (error instanceof RedisConnectionException) {
      return "CONNECTION";
    }
    if (error instanceof RedisException) {
      return "REDIS_ERROR";
    }
    return error.getClass().getSimpleName();
  }
}
