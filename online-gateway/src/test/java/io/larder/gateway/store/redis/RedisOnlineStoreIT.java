package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.BLOCK;
import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.gateway.lookup.StoreRead;
import io.larder.gateway.lookup.ValueRead;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.types.ValueProto.Value;
import io.larder.support.blockhound.LarderBlockHound;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The store against the stack's standalone Redis, on keys of its own. */
class RedisOnlineStoreIT {

  static {
    LarderBlockHound.install();
  }

  private static final String PROJECT =
      "store_it_" + UUID.randomUUID().toString().replace('-', '_');
  private static final byte[] PRICE = OnlineStoreKeys.featureField("rides", "price");
  private static final byte[] DISTANCE = OnlineStoreKeys.featureField("rides", "distance");
  private static final byte[] TS = OnlineStoreKeys.timestampField("rides");
  private static final byte[] ABSENT = OnlineStoreKeys.featureField("rides", "never_written");

  private static RedisClient writerClient;
  private static StatefulRedisConnection<byte[], byte[]> writer;
  private static final List<byte[]> written = new ArrayList<>();

  private RedisOnlineStore store;

  @BeforeAll
  static void connectWriter() {
    writerClient = RedisClient.create("redis://127.0.0.1:" + RedisTestSupport.sharedRedisPort());
    writer = writerClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void deleteKeysAndCloseWriter() {
    if (writer != null) {
      for (byte[] key : written) {
        writer.sync().del(key);
      }
      writer.close();
    }
    if (writerClient != null) {
      writerClient.shutdown();
    }
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void readsValuesInRequestOrderWithNullForAbsentFieldsAndKeys() {
    store = connectedStore();
    byte[] driver1 = entity(1);
    byte[] driver2 = entity(2);
    byte[] nobody = entity(999_999);
    hset(driver1, PRICE, "p1", DISTANCE, "d1", TS, "t1");
    hset(driver2, DISTANCE, "d2", TS, "t2");

    List<List<String>> rows =
        RedisTestSupport.readStrings(
            store,
            List.of(
                new HashRead(driver1, List.of(PRICE, ABSENT, DISTANCE, TS)),
                new HashRead(nobody, List.of(PRICE, TS)),
                new HashRead(driver2, List.of(TS, PRICE, DISTANCE)),
                new HashRead(driver1, List.of(DISTANCE))));

    assertThat(rows)
        .containsExactly(
            Arrays.asList("p1", null, "d1", "t1"),
            Arrays.asList(null, null),
            Arrays.asList("t2", null, "d2"),
            List.of("d1"));
  }

  @Test
  void readsAThousandKeysInOneCall() {
    store = connectedStore();
    List<HashRead> reads = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] key = entity(10_000 + i);
      if (i % 3 != 0) {
        hset(key, PRICE, "price" + i, TS, "ts" + i);
        expected.add(Arrays.asList("price" + i, "ts" + i));
      } else {
        expected.add(Arrays.asList(null, null));
      }
      reads.add(new HashRead(key, List.of(PRICE, TS)));
    }

    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
  }

  @Test
  void aLegalLargeRequestGetsABudgetPerChunkNotOneForAll() {
    // 10,000 rows x 5 tables; 50 ms per 512 commands, where the whole read takes far longer.
    store = RedisTestSupport.standaloneStore(properties("command-timeout", "50ms"));
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    byte[] known = entity(30_000);
    hset(known, PRICE, "p");
    List<HashRead> reads = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      reads.add(new HashRead(i == 49_999 ? known : entity(40_000 + i), List.of(PRICE, TS)));
    }

    int failedBefore = store.circuitBreaker().getMetrics().getNumberOfFailedCalls();

    List<List<String>> read = RedisTestSupport.readStrings(store, reads);

    assertThat(read).hasSize(50_000);
    assertThat(read.get(49_999)).isEqualTo(Arrays.asList("p", null));
    assertThat(store.circuitBreaker().getMetrics().getNumberOfFailedCalls())
        .isEqualTo(failedBefore);
  }

  @Test
  void splitsReadsLargerThanMaxBatchCommandsIntoWritesAndKeepsTheirOrder() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    store = RedisTestSupport.standaloneStore(properties("max-batch-commands", "7"), meters);
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    DistributionSummary batches = meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary();
    long probes = batches.count();
    List<HashRead> reads = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] key = entity(20_000 + i);
      hset(key, PRICE, "v" + i);
      // Alternate field orders so a mix-up between reads would show.
      if (i % 2 == 0) {
        reads.add(new HashRead(key, List.of(PRICE, ABSENT)));
        expected.add(Arrays.asList("v" + i, null));
      } else {
        reads.add(new HashRead(key, List.of(ABSENT, PRICE)));
        expected.add(Arrays.asList(null, "v" + i));
      }
    }

    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
    // 100 commands in ceil(100 / 7) writes.
    assertThat(batches.count() - probes).isEqualTo(15);
    assertThat(batches.max()).isEqualTo(7.0);
  }

  @Test
  void stringReadsGoOutAsMgetsOfAtMostMaxBatchCommandsKeysBesideTheHashReads() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    store = RedisTestSupport.standaloneStore(properties("max-batch-commands", "7"), meters);
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    DistributionSummary batches = meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary();
    long probes = batches.count();
    List<StoreRead> reads = new ArrayList<>();
    List<List<String>> expected = new ArrayList<>();
    byte[] aHash = entity(25_000);
    hset(aHash, PRICE, "in a hash");
    for (int i = 0; i < 50; i++) {
      byte[] key = ("_p:rides:" + (25_000 + i)).getBytes(StandardCharsets.US_ASCII);
      if (i % 3 != 0) {
        writer.sync().set(key, ("v" + i).getBytes(StandardCharsets.US_ASCII));
        written.add(key);
      }
      reads.add(new ValueRead(key));
      expected.add(Collections.singletonList(i % 3 != 0 ? "v" + i : null));
    }
    // A string read of a hash holds no packed row: absent, not an error.
    reads.add(new ValueRead(aHash));
    expected.add(Collections.singletonList(null));
    reads.add(new HashRead(aHash, List.of(PRICE)));
    expected.add(List.of("in a hash"));

    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
    // One HMGET and ceil(51 / 7) = 8 MGETs: 9 commands in 2 writes of at most 7.
    assertThat(batches.count() - probes).isEqualTo(2);
  }

  @Test
  void failsAsUnavailableRatherThanQueueingBeyondTheRequestQueueSize() {
    store =
        RedisTestSupport.standaloneStore(
            properties("max-batch-commands", "10", "request-queue-size", "10"));
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    List<HashRead> reads = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      reads.add(new HashRead(entity(30_000 + i), List.of(PRICE)));
    }

    // Two writes of 10 go out before any reply is read; the connection holds at most 10.
    store
        .read(reads)
        .as(StepVerifier::create)
        .expectErrorSatisfies(
            error ->
                assertThat(error)
                    .isInstanceOf(OnlineStoreUnavailableException.class)
                    .hasMessageContaining("exceeded"))
        .verify(BLOCK);
  }

  @Test
  void keepsAnEmptyValueApartFromAnAbsentOne() {
    store = connectedStore();
    byte[] key = entity(3);
    writer.sync().hset(key, PRICE, new byte[0]);
    written.add(key);

    List<List<byte[]>> rows =
        store.read(List.of(new HashRead(key, List.of(PRICE, ABSENT)))).block(BLOCK);

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get(0)).isEmpty();
    assertThat(rows.get(0).get(1)).isNull();
  }

  @Test
  void answersReadsWithoutFieldsAndEmptyBatchesWithoutAskingRedis() {
    store = connectedStore();
    byte[] key = entity(4);
    hset(key, PRICE, "p4");

    assertThat(store.read(List.of()).block(BLOCK)).isEmpty();
    assertThat(
            RedisTestSupport.readStrings(
                store,
                List.of(
                    new HashRead(key, List.of()),
                    new HashRead(key, List.of(PRICE)),
                    new HashRead(entity(5), List.of()))))
        .containsExactly(List.of(), List.of("p4"), List.of());
  }

  @Test
  void readsAKeyHoldingNoHashAsAbsent() {
    store = connectedStore();
    byte[] notAHash = entity(6);
    writer.sync().set(notAHash, bytes("a plain string"));
    written.add(notAHash);
    byte[] key = entity(7);
    hset(key, PRICE, "p7");

    assertThat(
            RedisTestSupport.readStrings(
                store,
                List.of(
                    new HashRead(notAHash, List.of(PRICE, TS)), new HashRead(key, List.of(PRICE)))))
        .containsExactly(Arrays.asList(null, null), List.of("p7"));
  }

  @Test
  void readsWithoutBlockingOnNonBlockingThreads() {
    store = connectedStore();
    byte[] key = entity(8);
    hset(key, PRICE, "p8");

    // BlockHound is installed: a blocking call on a Reactor or Lettuce thread fails the read.
    Mono.defer(() -> store.read(List.of(new HashRead(key, List.of(PRICE, ABSENT)))))
        .subscribeOn(Schedulers.parallel())
        .map(RedisTestSupport::strings)
        .as(StepVerifier::create)
        .expectNext(List.of(Arrays.asList("p8", null)))
        .expectComplete()
        .verify(BLOCK);
  }

  @Test
  void publishesBatchSizesAndTheCircuitBreakerState() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    store = RedisTestSupport.standaloneStore(properties(), meters);
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));

    assertThat(meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary().count()).isPositive();
    assertThat(
            meters
                .get("resilience4j.circuitbreaker.state")
                .tag("name", RedisOnlineStore.RESILIENCE_NAME)
                .tag("state", "closed")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(
            meters
                .get("resilience4j.bulkhead.available.concurrent.calls")
                .tag("name", RedisOnlineStore.RESILIENCE_NAME)
                .gauge()
                .value())
        .isEqualTo(256.0);
  }

  private RedisOnlineStore connectedStore() {
    RedisOnlineStore connected = RedisTestSupport.standaloneStore(properties());
    RedisTestSupport.awaitConnected(connected, Duration.ofSeconds(10));
    return connected;
  }

  private static RedisStoreProperties properties(String... extra) {
    List<String> settings =
        new ArrayList<>(List.of("uri", "redis://127.0.0.1:" + RedisTestSupport.sharedRedisPort()));
    settings.addAll(List.of(extra));
    return RedisTestSupport.properties(settings.toArray(String[]::new));
  }

  private static byte[] entity(long driverId) {
    return OnlineStoreKeys.entityKey(
        PROJECT, Map.of("driver_id", Value.newBuilder().setInt64Val(driverId).build()));
  }

  private static void hset(byte[] key, Object... fieldsAndValues) {
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      writer.sync().hset(key, (byte[]) fieldsAndValues[i], bytes((String) fieldsAndValues[i + 1]));
    }
    written.add(key);
  }
}
