package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.BLOCK;
import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Proves that a read is pipelined: a counting proxy between the store and the stack's Redis holds
 * Redis's replies back until all of a read's HMGETs arrived (or 1 s passed), so the number of
 * HMGETs it saw before the first reply went back is the number the store wrote without waiting: all
 * of them in one round trip, never one round trip per key.
 */
class RedisPipeliningTest {

  private static final int KEYS = 100;
  private static final String PREFIX = "larder-test:pipelining:" + UUID.randomUUID() + ":";
  private static final Duration MAX_HOLD = Duration.ofSeconds(1);

  private static RedisClient writerClient;
  private static StatefulRedisConnection<byte[], byte[]> writer;
  private static final List<HashRead> reads = new ArrayList<>();
  private static final List<List<String>> expected = new ArrayList<>();

  private CountingRedisProxy proxy;
  private RedisOnlineStore store;

  @BeforeAll
  static void writeRows() {
    writerClient = RedisClient.create("redis://127.0.0.1:" + RedisTestSupport.sharedRedisPort());
    writer = writerClient.connect(ByteArrayCodec.INSTANCE);
    for (int i = 0; i < KEYS; i++) {
      byte[] key = bytes(PREFIX + i);
      writer.sync().hset(key, bytes("a"), bytes("a" + i));
      writer.sync().hset(key, bytes("b"), bytes("b" + i));
      reads.add(new HashRead(key, List.of(bytes("a"), bytes("missing"), bytes("b"))));
      expected.add(Arrays.asList("a" + i, null, "b" + i));
    }
  }

  @AfterAll
  static void deleteRows() {
    if (writer != null) {
      for (HashRead read : reads) {
        writer.sync().del(read.key());
      }
      writer.close();
    }
    if (writerClient != null) {
      writerClient.shutdown();
    }
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void writesAllHmgetsOfAReadBeforeAnyReplyComesBack() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    connectThroughProxy(meters);

    proxy.holdRepliesUntil("HMGET", KEYS, MAX_HOLD);
    long started = System.nanoTime();
    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(proxy.commandsBeforeFirstReply()).isEqualTo(KEYS);
    // Never held up to MAX_HOLD: the gate opened because all commands had arrived.
    assertThat(tookMillis).isLessThan(MAX_HOLD.toMillis());
    DistributionSummary batches = meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary();
    assertThat(batches.totalAmount()).isEqualTo(KEYS + 1.0); // + the connect probe
  }

  @Test
  void writesTheFirstChunksOfALargeReadAtOnceAndTheRestAsEarlierOnesComplete() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    connectThroughProxy(meters, "max-batch-commands", "10", "chunks-in-flight-per-read", "2");

    // Two chunks of 10 go out before any reply; the other eight follow as chunks are answered,
    // so other reads on the connection are never queued behind the whole of this one.
    proxy.holdRepliesUntil("HMGET", 20, MAX_HOLD);
    long started = System.nanoTime();
    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
    long tookMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(proxy.commandsBeforeFirstReply()).isEqualTo(20);
    assertThat(tookMillis).isLessThan(MAX_HOLD.toMillis());
    DistributionSummary batches = meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary();
    assertThat(batches.count()).isEqualTo(KEYS / 10 + 1L);
    assertThat(batches.max()).isEqualTo(10.0);
  }

  @Test
  void aLargeReadBeyondTheLargeReadCapacityFailsAtOnceAndSmallReadsStillRun() throws Exception {
    connectThroughProxy(
        new SimpleMeterRegistry(), "max-batch-commands", "10", "max-large-read-commands", "60");
    // Replies held for a second: the first large read stays in flight meanwhile.
    proxy.holdRepliesUntil("HMGET", Integer.MAX_VALUE, MAX_HOLD);
    int failedBefore = store.circuitBreaker().getMetrics().getNumberOfFailedCalls();

    CompletableFuture<List<List<byte[]>>> first = store.read(reads).toFuture(); // takes all 60
    Throwable refused = catchThrowable(() -> store.read(reads.subList(0, 20)).block(BLOCK));
    CompletableFuture<List<List<byte[]>>> small = store.read(reads.subList(0, 5)).toFuture();

    assertThat(refused)
        .isInstanceOf(OnlineStoreUnavailableException.class)
        .hasMessageContaining("too many large reads in flight");
    assertThat(RedisTestSupport.strings(first.get(10, TimeUnit.SECONDS))).isEqualTo(expected);
    assertThat(RedisTestSupport.strings(small.get(10, TimeUnit.SECONDS)))
        .isEqualTo(expected.subList(0, 5));
    // Turned away before the breaker: no failure counted against Redis.
    assertThat(store.circuitBreaker().getMetrics().getNumberOfFailedCalls())
        .isEqualTo(failedBefore);
    // The capacity is back once the first read is done.
    assertThat(RedisTestSupport.readStrings(store, reads.subList(0, 20)))
        .isEqualTo(expected.subList(0, 20));
  }

  @Test
  void onlyFailuresThatSayRedisIsUnhealthyCountAgainstIt() {
    assertThat(RedisOnlineStore.isStoreHealthFailure(new TimeoutException())).isTrue();
    assertThat(RedisOnlineStore.isStoreHealthFailure(new RedisConnectionException("refused")))
        .isTrue();
    assertThat(
            RedisOnlineStore.isStoreHealthFailure(
                new RedisCommandExecutionException("LOADING Redis is loading the dataset")))
        .isTrue();
    assertThat(
            RedisOnlineStore.isStoreHealthFailure(
                new RedisCommandExecutionException("ERR wrong number of arguments")))
        .isFalse();
    assertThat(
            RedisOnlineStore.isStoreHealthFailure(
                new OnlineStoreUnavailableException("too many large reads", null)))
        .isFalse();
  }

  @Test
  void theProxyCatchesAClientThatWaitsForEachReply() {
    connectThroughProxy(new SimpleMeterRegistry());

    proxy.holdRepliesUntil("HMGET", KEYS, MAX_HOLD);
    // One read per key, each waiting for the previous one: one round trip per key.
    List<List<byte[]>> rows =
        Flux.fromIterable(reads)
            .concatMap(read -> store.read(List.of(read)))
            .map(one -> one.get(0))
            .collectList()
            .block(BLOCK);

    assertThat(RedisTestSupport.strings(rows)).isEqualTo(expected);
    assertThat(proxy.commandsBeforeFirstReply()).isEqualTo(1);
  }

  private void connectThroughProxy(SimpleMeterRegistry meters, String... extra) {
    proxy = new CountingRedisProxy(RedisTestSupport.sharedRedisPort());
    List<String> settings =
        new ArrayList<>(
            List.of(
                "uri",
                "redis://127.0.0.1:" + proxy.port(),
                // Longer than the proxy may hold replies, so only the count can fail the test.
                "command-timeout",
                "3s"));
    settings.addAll(List.of(extra));
    store =
        RedisTestSupport.standaloneStore(
            RedisTestSupport.properties(settings.toArray(String[]::new)), meters);
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
  }
}
