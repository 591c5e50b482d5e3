package io.larder.gateway.store.redis;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the online store lives ({@code larder.redis.*}).
 *
 * @param uri a Lettuce Redis URI, e.g. redis://127.0.0.1:6379
 * @param commandTimeout how long one Redis command may take before it fails
 * @param connectTimeout how long one connection attempt may take
 */
@ConfigurationProperties("larder.redis")
public record RedisStoreProperties(
    @DefaultValue("redis://127.0.0.1:6379") String uri,
    @DefaultValue("500ms") Duration commandTimeout,
    @DefaultValue("1s") Duration connectTimeout) {}
