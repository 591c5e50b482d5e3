package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.BLOCK;
import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.gateway.store.redis.RedisTestSupport.Failure;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The store against a private redis-server that the tests kill, freeze and restart: reads fail as
 * unavailable within the command timeout, hold no thread or queued command while Redis is gone, and
 * are answered again within 2 s of Redis being back, however long it was gone.
 */
class RedisFaultIT {

  private static final Duration TIMEOUT = Duration.ofMillis(250);
  // The timeout plus timer and thread hand-offs on a loaded 2-core machine.
  private static final Duration FAIL_WITHIN = TIMEOUT.plusMillis(200);
  private static final Duration RECOVER_WITHIN = Duration.ofSeconds(2);
  private static final Duration LONG_OUTAGE = Duration.ofSeconds(61);
  private static final int ROWS = 20;
  private static final int MAX_EXTRA_THREADS = 3;
  private static final long MAX_HEAP_GROWTH = 32L * 1024 * 1024;

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final List<HashRead> reads = new ArrayList<>();
  private final List<List<String>> expected = new ArrayList<>();

  private RedisServerProcess redis;
  private RedisOnlineStore store;

  @BeforeEach
  void privateRedis() {
    redis = new RedisServerProcess(RedisTestSupport.freePort());
    for (int i = 0; i < ROWS; i++) {
      reads.add(new HashRead(bytes("row:" + i), List.of(bytes("a"), bytes("none"), bytes("b"))));
      expected.add(Arrays.asList("a" + i, null, "b" + i));
    }
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    redis.close();
  }

  @Test
  void killedRedisFailsFastHoldsNoThreadsOrHeapAndAnswersAgainWithinTwoSecondsOfItsRestart() {
    redis.start();
    seed();
    store = newStore();
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    assertThat(answersCorrectly()).isTrue();

    redis.kill();
    Failure first = RedisTestSupport.failure(store, reads).block(BLOCK);
    assertThat(first.nanos()).isLessThanOrEqualTo(FAIL_WITHIN.toNanos());

    // Warm-up, so threads made lazily on first use (timers, schedulers) count as before.
    failConcurrently(200, 64);
    Set<String> threadsBefore = applicationThreads();
    long heapBefore = usedHeapAfterGc();

    List<Failure> failures = failConcurrently(2000, 64);

    Set<String> threadsAfter = applicationThreads();
    long heapAfter = usedHeapAfterGc();
    long slowest = failures.stream().mapToLong(Failure::nanos).max().orElseThrow();
    assertThat(slowest).isLessThanOrEqualTo(FAIL_WITHIN.toNanos());
    assertThreadsFlat(threadsBefore, threadsAfter);
    assertThat(heapAfter - heapBefore).isLessThan(MAX_HEAP_GROWTH);

    redis.start();
    long back = System.nanoTime();
    seed();
    Duration recovery = awaitRecovery(back);

    report(
        "killed: first failure %d ms; 2000 failed reads: p50 %.2f ms, p99 %.2f ms, max %.2f ms"
            + " (%s); threads %d -> %d; heap %d -> %d KiB; recovered %d ms after restart",
        first.millis(),
        percentileMillis(failures, 0.50),
        percentileMillis(failures, 0.99),
        slowest / 1e6,
        reasons(failures),
        threadsBefore.size(),
        threadsAfter.size(),
        heapBefore / 1024,
        heapAfter / 1024,
        recovery.toMillis());
    assertThat(recovery).isLessThan(RECOVER_WITHIN);
  }

  @Test
  void frozenRedisFailsReadsWithinTheTimeoutThenFastAndAnswersAgainWithinTwoSecondsOfThawing() {
    redis.start();
    seed();
    store = newStore();
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));

    // SIGSTOP: the connection stays open, commands are written, no reply ever comes.
    redis.freeze();
    List<Failure> failures = failConcurrently(200, 8);

    long slowest = failures.stream().mapToLong(Failure::nanos).max().orElseThrow();
    assertThat(slowest).isLessThanOrEqualTo(FAIL_WITHIN.toNanos());
    assertThat(failures)
        .anySatisfy(f -> assertThat(f.message()).contains("no answer within 250 ms"))
        .anySatisfy(f -> assertThat(f.message()).contains("circuit breaker open"));
    long timedOut = failures.stream().filter(f -> f.message().contains("no answer")).count();
    // The circuit opens after the first few timeouts; the rest fail at once.
    assertThat(timedOut).isLessThan(40);

    redis.thaw();
    long back = System.nanoTime();
    Duration recovery = awaitRecovery(back);

    report(
        "frozen: 200 failed reads: %d timed out, p50 %.2f ms, max %.2f ms (%s); recovered %d ms"
            + " after thawing",
        timedOut,
        percentileMillis(failures, 0.50),
        slowest / 1e6,
        reasons(failures),
        recovery.toMillis());
    assertThat(recovery).isLessThan(RECOVER_WITHIN);
  }

  @Test
  void answersAgainWithinTwoSecondsAfterAnOutageLongerThanAMinute() {
    redis.start();
    seed();
    store = newStore();
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));

    redis.kill();
    long outageStart = System.nanoTime();
    failConcurrently(50, 8);
    Set<String> threadsBefore = applicationThreads();
    List<Failure> failures = new ArrayList<>();
    while (System.nanoTime() - outageStart < LONG_OUTAGE.toNanos()) {
      failures.add(RedisTestSupport.failure(store, reads).block(BLOCK));
      RedisTestSupport.sleep(Duration.ofMillis(200));
    }
    Set<String> threadsAfter = applicationThreads();
    long slowest = failures.stream().mapToLong(Failure::nanos).max().orElseThrow();
    assertThat(slowest).isLessThanOrEqualTo(FAIL_WITHIN.toNanos());
    assertThreadsFlat(threadsBefore, threadsAfter);

    redis.start();
    long back = System.nanoTime();
    seed();
    Duration recovery = awaitRecovery(back);

    report(
        "outage of %d s: %d failed reads, max %.2f ms (%s); threads %d -> %d; recovered %d ms"
            + " after restart",
        (back - outageStart) / 1_000_000_000,
        failures.size(),
        slowest / 1e6,
        reasons(failures),
        threadsBefore.size(),
        threadsAfter.size(),
        recovery.toMillis());
    assertThat(recovery).isLessThan(RECOVER_WITHIN);
  }

  @Test
  void startsWhileRedisIsDownAndAnswersWithinTwoSecondsOfItComingUp() {
    long creating = System.nanoTime();
    store = newStore();
    long createdMillis = (System.nanoTime() - creating) / 1_000_000;
    assertThat(createdMillis).isLessThan(1000);

    List<Failure> failures = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      failures.add(RedisTestSupport.failure(store, reads).block(BLOCK));
      RedisTestSupport.sleep(Duration.ofMillis(50));
    }
    assertThat(failures.get(0).message()).contains("not connected");
    long slowest = failures.stream().mapToLong(Failure::nanos).max().orElseThrow();
    assertThat(slowest).isLessThanOrEqualTo(FAIL_WITHIN.toNanos());

    redis.start();
    long back = System.nanoTime();
    seed();
    Duration recovery = awaitRecovery(back);

    report(
        "started without Redis: store created in %d ms; failures max %.2f ms (%s); answered %d ms"
            + " after Redis came up",
        createdMillis, slowest / 1e6, reasons(failures), recovery.toMillis());
    assertThat(recovery).isLessThan(RECOVER_WITHIN);
  }

  private RedisOnlineStore newStore() {
    return RedisTestSupport.standaloneStore(
        RedisTestSupport.properties(
            "uri", redis.uri(), "command-timeout", TIMEOUT.toMillis() + "ms"));
  }

  /** Writes the rows (a restarted redis-server has none: nothing is persisted). */
  private void seed() {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      for (int i = 0; i < ROWS; i++) {
        connection
            .sync()
            .hset(
                bytes("row:" + i), Map.of(bytes("a"), bytes("a" + i), bytes("b"), bytes("b" + i)));
      }
    } finally {
      client.shutdown();
    }
  }

  private boolean answersCorrectly() {
    try {
      return expected.equals(RedisTestSupport.strings(store.read(reads).block(BLOCK)));
    } catch (OnlineStoreUnavailableException e) {
      return false;
    }
  }

  /** Polls every 10 ms; returns the time from {@code sinceNanos} to the first correct answer. */
  private Duration awaitRecovery(long sinceNanos) {
    long deadline = sinceNanos + Duration.ofSeconds(10).toNanos();
    while (!answersCorrectly()) {
      assertThat(System.nanoTime()).as("store answers again within 10 s").isLessThan(deadline);
      RedisTestSupport.sleep(Duration.ofMillis(10));
    }
    return Duration.ofNanos(System.nanoTime() - sinceNanos);
  }

  private List<Failure> failConcurrently(int count, int concurrency) {
    return Flux.range(0, count)
        .flatMap(i -> RedisTestSupport.failure(store, reads), concurrency)
        .collectList()
        .block(Duration.ofSeconds(60));
  }

  /**
   * Live threads by name (with id, names repeat), leaving out the JIT's compiler threads, which the
   * JVM adds and removes with its own load.
   */
  private static Set<String> applicationThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(thread -> !thread.getName().contains("CompilerThread"))
        .map(thread -> thread.getName() + "#" + thread.getId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void assertThreadsFlat(Set<String> before, Set<String> after) {
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    assertThat(after.size() - before.size())
        .as("threads added while Redis was down: %s", added)
        .isLessThanOrEqualTo(MAX_EXTRA_THREADS);
  }

  private long usedHeapAfterGc() {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double percentileMillis(List<Failure> failures, double percentile) {
    long[] sorted = failures.stream().mapToLong(Failure::nanos).sorted().toArray();
    int index = (int) Math.min(sorted.length - 1, Math.ceil(percentile * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  /** Failures grouped by why the store gave up, e.g. {circuit breaker open=1990, ...}. */
  private static Map<String, Long> reasons(List<Failure> failures) {
    Function<Failure, String> reason =
        f -> {
          String message = f.message();
          if (message.contains("circuit breaker open")) {
            return "circuit breaker open";
          }
          if (message.contains("no answer within")) {
            return "timed out";
          }
          if (message.contains("not connected")) {
            return "not connected";
          }
          return message;
        };
    return failures.stream()
        .collect(Collectors.groupingBy(reason, TreeMap::new, Collectors.counting()));
  }

  private static void report(String format, Object... args) {
    System.out.println("[RedisFaultIT] " + String.format(format, args));
  }
}
