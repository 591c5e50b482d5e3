package io.larder.gateway.store.redis;

import static io.larder.gateway.store.redis.RedisTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.lookup.HashRead;
import io.larder.gateway.lookup.OnlineStore;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/**
 * The store's wiring, with nothing listening on Redis's port: the adapter follows {@code
 * larder.redis.mode}, the context starts without Redis, and reads then fail fast as unavailable.
 */
class RedisStoreConfigurationTest {

  private final int deadPort = RedisTestSupport.freePort();

  private final ApplicationContextRunner contexts =
      new ApplicationContextRunner()
          .withUserConfiguration(RedisStoreConfiguration.class)
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  @Test
  void bindsEveryDefaultSoNoSettingIsRequired() {
    RedisStoreProperties properties = RedisTestSupport.properties();

    assertThat(properties.mode()).isEqualTo(RedisStoreProperties.Mode.STANDALONE);
    assertThat(properties.uri()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(properties.clusterNodes())
        .containsExactly(
            "redis://127.0.0.1:7000", "redis://127.0.0.1:7001", "redis://127.0.0.1:7002");
    assertThat(properties.commandTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(properties.reconnectMaxDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(properties.maxBatchCommands()).isEqualTo(512);
    assertThat(properties.requestQueueSize()).isEqualTo(65536);
    assertThat(properties.maxConcurrentBatches()).isEqualTo(256);
    assertThat(properties.circuitBreaker().waitDurationInOpenState())
        .isEqualTo(Duration.ofMillis(500));
    assertThat(properties.circuitBreaker().failureRateThreshold()).isEqualTo(50f);
  }

  @Test
  void standaloneByDefaultStartingWithoutRedisAndFailingFast() {
    contexts
        .withPropertyValues("larder.redis.uri=redis://127.0.0.1:" + deadPort)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(OnlineStore.class);
              assertThat(context).hasBean("standaloneRedisOnlineStore");
              assertFailsFast(context.getBean(OnlineStore.class));
            });
  }

  @Test
  void clusterWhenConfiguredStartingWithoutRedisAndFailingFast() {
    contexts
        .withPropertyValues(
            "larder.redis.mode=cluster", "larder.redis.cluster-nodes=redis://127.0.0.1:" + deadPort)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(OnlineStore.class);
              assertThat(context).hasBean("clusterRedisOnlineStore");
              assertFailsFast(context.getBean(OnlineStore.class));
            });
  }

  @Test
  void publishesTheCircuitBreakerAndBatchSizeMetrics() {
    contexts
        .withPropertyValues("larder.redis.uri=redis://127.0.0.1:" + deadPort)
        .run(
            context -> {
              MeterRegistry meters = context.getBean(MeterRegistry.class);
              assertThat(
                      meters
                          .find("resilience4j.circuitbreaker.state")
                          .tag("name", "redis")
                          .gauges())
                  .isNotEmpty();
              assertThat(meters.find(RedisOnlineStore.BATCH_SIZE_METRIC).summary()).isNotNull();
            });
  }

  @Test
  void refusesAnUnknownModeOrImpossibleLimits() {
    contexts
        .withPropertyValues("larder.redis.mode=sentinel")
        .run(context -> assertThat(context).hasFailed());
    contexts
        .withPropertyValues("larder.redis.max-batch-commands=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("max-batch-commands"));
    contexts
        .withPropertyValues(
            "larder.redis.max-batch-commands=1000", "larder.redis.request-queue-size=10")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("request-queue-size"));
  }

  private static void assertFailsFast(OnlineStore store) {
    for (int i = 0; i < 20; i++) {
      long started = System.nanoTime();
      store
          .read(List.of(new HashRead(bytes("k"), List.of(bytes("f")))))
          .as(StepVerifier::create)
          .expectError(OnlineStoreUnavailableException.class)
          .verify(Duration.ofSeconds(5));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(300));
    }
  }
}
