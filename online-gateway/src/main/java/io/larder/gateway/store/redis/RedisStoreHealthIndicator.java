package io.larder.gateway.store.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Health {@code onlineStore}: DOWN while Redis cannot be reached, {@link #EMPTY} while it holds no
 * key at all (a Redis back from a crash without its data, or one nothing was ingested into yet:
 * every lookup answers NOT_FOUND, correctly, until ingestion refills it), UP otherwise. EMPTY
 * answers HTTP 200, so a gateway in front of an empty store keeps its traffic while its readiness
 * says why every value is missing.
 */
final class RedisStoreHealthIndicator implements ReactiveHealthIndicator {

  static final Status EMPTY =
      new Status("EMPTY", "Redis holds no keys: lookups answer NOT_FOUND until data is ingested");

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final RedisOnlineStore store;
  private final RedisConnector connector;

  RedisStoreHealthIndicator(RedisOnlineStore store, RedisConnector connector) {
    this.store = store;
    this.connector = connector;
  }

  @Override
  public Mono<Health> health() {
    if (!connector.connected()) {
      return Mono.just(Health.down().withDetail("store", connector.describe()).build());
    }
    return keyCount(connector.connection())
        .timeout(TIMEOUT)
        .map(
            keys ->
                Health.status(keys == 0 ? EMPTY : Status.UP)
                    .withDetail("store", connector.describe())
                    .withDetail("keys", keys)
                    .withDetail("circuitBreaker", store.circuitBreaker().getState().name())
                    .build())
        .onErrorResume(
            error ->
                Mono.just(
                    Health.down()
                        .withDetail("store", connector.describe())
                        .withDetail("error", String.valueOf(error.getMessage()))
                        .build()));
  }

  /** DBSIZE; on a Cluster Lettuce sums it over the masters. */
  private static Mono<Long> keyCount(StatefulConnection<byte[], byte[]> connection) {
    if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
      return cluster.reactive().dbsize();
    }
    return ((StatefulRedisConnection<byte[], byte[]>) connection).reactive().dbsize();
  }
}
