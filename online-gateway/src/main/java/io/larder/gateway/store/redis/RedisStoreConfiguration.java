package io.larder.gateway.store.redis;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The online store: Redis standalone or Cluster, chosen by {@code larder.redis.mode}. Neither waits
 * for Redis at start-up; both connect in the background and keep trying.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RedisStoreProperties.class)
class RedisStoreConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(
      prefix = "larder.redis",
      name = "mode",
      havingValue = "standalone",
      matchIfMissing = true)
  RedisOnlineStore standaloneRedisOnlineStore(
      RedisStoreProperties properties, MeterRegistry meterRegistry) {
    return new RedisOnlineStore(RedisConnectors.standalone(properties), properties, meterRegistry);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(prefix = "larder.redis", name = "mode", havingValue = "cluster")
  RedisOnlineStore clusterRedisOnlineStore(
      RedisStoreProperties properties, MeterRegistry meterRegistry) {
    return new RedisOnlineStore(RedisConnectors.cluster(properties), properties, meterRegistry);
  }

  /** Health {@code onlineStore} (in the readiness group). */
  @Bean
  ReactiveHealthIndicator onlineStoreHealthIndicator(RedisOnlineStore store) {
    return new RedisStoreHealthIndicator(store, store.connector());
  }
}
