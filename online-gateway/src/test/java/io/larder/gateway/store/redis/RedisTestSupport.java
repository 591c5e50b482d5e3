package io.larder.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Mono;

/** What the Redis store tests share: properties bound like the app binds them, stores, ports. */
public final class RedisTestSupport {

  static final Duration BLOCK = Duration.ofSeconds(10);

  private RedisTestSupport() {}

  /** The port of the stack's shared Redis (only the tests' own unique keys are touched there). */
  static int sharedRedisPort() {
    return Integer.parseInt(System.getenv().getOrDefault("LARDER_REDIS_PORT", "6379"));
  }

  /** The first port of the stack's Redis Cluster ({@code scripts/stack start redis-cluster}). */
  static int clusterPort() {
    return Integer.parseInt(System.getenv().getOrDefault("LARDER_REDIS_CLUSTER_PORT", "7000"));
  }

  /** {@code larder.redis.*} bound exactly as Spring binds it, defaults included. */
  static RedisStoreProperties properties(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put("larder.redis." + keyValues[i], keyValues[i + 1]);
    }
    return new Binder(new MapConfigurationPropertySource(map))
        .bindOrCreate("larder.redis", RedisStoreProperties.class);
  }

  static RedisOnlineStore standaloneStore(RedisStoreProperties properties) {
    return standaloneStore(properties, new SimpleMeterRegistry());
  }

  static RedisOnlineStore standaloneStore(
      RedisStoreProperties properties, MeterRegistry meterRegistry) {
    return new RedisOnlineStore(RedisConnectors.standalone(properties), properties, meterRegistry);
  }

  static RedisOnlineStore clusterStore(RedisStoreProperties properties) {
    return new RedisOnlineStore(
        RedisConnectors.cluster(properties), properties, new SimpleMeterRegistry());
  }

  /** Waits (in a test, blocking is fine) until the store has connected and answers reads. */
  static void awaitConnected(RedisOnlineStore store, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    HashRead probe = new HashRead(bytes("larder-test:probe"), List.of(bytes("f")));
    // Reads before the connections exist fail and count toward the circuit breaker: wait first.
    while (!store.connected() && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(10));
    }
    while (true) {
      try {
        store.read(List.of(probe)).block(BLOCK);
        return;
      } catch (OnlineStoreUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("store did not connect within " + within, e);
        }
        sleep(Duration.ofMillis(20));
      }
    }
  }

  /** A port nobody listens on (connections to it are refused). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Values as strings ("null" for absent) so failures print readably. */
  static List<List<String>> strings(List<List<byte[]>> rows) {
    List<List<String>> out = new ArrayList<>(rows.size());
    for (List<byte[]> row : rows) {
      List<String> values = new ArrayList<>(row.size());
      for (byte[] value : row) {
        values.add(value == null ? null : new String(value, StandardCharsets.UTF_8));
      }
      out.add(values);
    }
    return out;
  }

  static List<List<String>> readStrings(
      RedisOnlineStore store, List<? extends io.larder.gateway.lookup.StoreRead> reads) {
    List<List<byte[]>> rows = store.read(reads).block(BLOCK);
    assertThat(rows).isNotNull().hasSize(reads.size());
    return strings(rows);
  }

  /**
   * A read that failed as unavailable: how long that took and why (the message, not the exception,
   * so that keeping thousands of them does not weigh on heap measurements).
   */
  record Failure(long nanos, String message) {

    long millis() {
      return nanos / 1_000_000;
    }
  }

  /** Runs a read that must fail as unavailable; any other outcome fails the test. */
  static Mono<Failure> failure(RedisOnlineStore store, List<HashRead> reads) {
    return Mono.defer(
        () -> {
          long started = System.nanoTime();
          return store
              .read(reads)
              .<Failure>flatMap(
                  ok -> Mono.error(new AssertionError("read succeeded while Redis was down")))
              .onErrorResume(
                  OnlineStoreUnavailableException.class,
                  e -> Mono.just(new Failure(System.nanoTime() - started, e.getMessage())));
        });
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
