package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.StoreRead;
import io.larder.gateway.lookup.ValueRead;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The store against the stack's 3-master Redis Cluster ({@code scripts/stack start redis-cluster};
 * ports from LARDER_REDIS_CLUSTER_PORT, default 7000..7002): one read spans keys on every master.
 */
class RedisClusterOnlineStoreIT {

  private static final int KEYS = 300;
  private static final String PREFIX = "larder-test:cluster:" + UUID.randomUUID() + ":";

  private static RedisClusterClient writerClient;
  private static StatefulRedisClusterConnection<byte[], byte[]> writer;
  private static final List<HashRead> reads = new ArrayList<>();
  private static final List<List<String>> expected = new ArrayList<>();

  private RedisOnlineStore store;

  @BeforeAll
  static void writeRowsAcrossTheMasters() {
    List<RedisURI> nodes = nodes().stream().map(RedisURI::create).toList();
    writerClient = RedisClusterClient.create(nodes);
    try {
      writer = writerClient.connect(ByteArrayCodec.INSTANCE);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "no Redis Cluster at "
              + nodes()
              + "; start it with `scripts/stack start redis-cluster` (port from"
              + " LARDER_REDIS_CLUSTER_PORT)",
          e);
    }
    for (int i = 0; i < KEYS; i++) {
      byte[] key = bytes(PREFIX + i);
      if (i % 5 != 0) {
        writer.sync().hset(key, Map.of(bytes("a"), bytes("a" + i), bytes("b"), bytes("b" + i)));
        expected.add(Arrays.asList("b" + i, null, "a" + i));
      } else {
        expected.add(Arrays.asList(null, null, null));
      }
      reads.add(new HashRead(key, List.of(bytes("b"), bytes("missing"), bytes("a"))));
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
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void theRowsLiveOnEveryMaster() {
    Partitions partitions = writerClient.getPartitions();
    Set<String> masters =
        reads.stream()
            .map(read -> partitions.getPartitionBySlot(SlotHash.getSlot(read.key())).getNodeId())
            .collect(Collectors.toCollection(HashSet::new));

    assertThat(masters).hasSize(3);
  }

  @Test
  void readsKeysOfAllMastersInOneCallInRequestOrder() {
    store = connectedStore();

    assertThat(RedisTestSupport.readStrings(store, reads)).isEqualTo(expected);
  }

  @Test
  void splitsLargeReadsIntoWritesAndKeepsTheirOrder() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RedisStoreProperties properties = properties("max-batch-commands", "16");
    store = new RedisOnlineStore(RedisConnectors.cluster(properties), properties, meters);
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));
    // Reversed, so that order is the request's and not the keys' or the nodes'.
    List<HashRead> reversed = new ArrayList<>(reads);
    Collections.reverse(reversed);
    List<List<String>> reversedExpected = new ArrayList<>(expected);
    Collections.reverse(reversedExpected);

    assertThat(RedisTestSupport.readStrings(store, reversed)).isEqualTo(reversedExpected);
    assertThat(meters.get(RedisOnlineStore.BATCH_SIZE_METRIC).summary().max()).isEqualTo(16.0);
  }

  @Test
  void stringReadsOfEveryMasterMixedWithHashReadsAnswerInRequestOrder() {
    store = connectedStore();
    List<byte[]> strings = new ArrayList<>();
    try {
      List<StoreRead> mixed = new ArrayList<>();
      List<List<String>> mixedExpected = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        byte[] key = bytes("_p:t:" + PREFIX + i);
        if (i % 4 != 0) {
          writer.sync().set(key, bytes("v" + i));
          strings.add(key);
        }
        mixed.add(new ValueRead(key));
        mixedExpected.add(Collections.singletonList(i % 4 != 0 ? "v" + i : null));
        mixed.add(reads.get(i));
        mixedExpected.add(expected.get(i));
      }

      assertThat(RedisTestSupport.readStrings(store, mixed)).isEqualTo(mixedExpected);
    } finally {
      strings.forEach(key -> writer.sync().del(key));
    }
  }

  @Test
  void answersManyConcurrentReads() {
    // About answers, not speed: a cold JVM on 2 busy cores may take longer than the default 250 ms.
    store = RedisTestSupport.clusterStore(properties("command-timeout", "5s"));
    RedisTestSupport.awaitConnected(store, Duration.ofSeconds(10));

    List<List<List<String>>> answers =
        Flux.range(0, 50)
            .flatMap(i -> store.read(reads).map(RedisTestSupport::strings), 8)
            .collectList()
            .block(RedisTestSupport.BLOCK);

    assertThat(answers).hasSize(50).allSatisfy(answer -> assertThat(answer).isEqualTo(expected));
  }

  private static RedisOnlineStore connectedStore() {
    RedisOnlineStore connected = RedisTestSupport.clusterStore(properties());
    RedisTestSupport.awaitConnected(connected, Duration.ofSeconds(10));
    return connected;
  }

  private static RedisStoreProperties properties(String... extra) {
    List<String> settings =
        new ArrayList<>(List.of("mode", "cluster", "cluster-nodes", String.join(",", nodes())));
    settings.addAll(List.of(extra));
    return RedisTestSupport.properties(settings.toArray(String[]::new));
  }

  private static List<String> nodes() {
    int first = RedisTestSupport.clusterPort();
    return IntStream.range(0, 3).mapToObj(i -> "redis://127.0.0.1:" + (first + i)).toList();
  }
}
