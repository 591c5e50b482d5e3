package io.larder.gateway.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Lettuce client of the online store. */
@Configuration(proxyBeanMethods = false)
class RedisStoreConfiguration {

  @Bean(destroyMethod = "shutdown")
  RedisClient redisClient(RedisStoreProperties properties) {
    RedisClient client = RedisClient.create(RedisURI.create(properties.uri()));
    client.setOptions(
        ClientOptions.builder()
            // Lettuce queues commands while disconnected by default; a feature server must fail
            // fast.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()))
            .socketOptions(
                SocketOptions.builder().connectTimeout(properties.connectTimeout()).build())
            .build());
    return client;
  }

  @Bean(destroyMethod = "close")
  StatefulRedisConnection<byte[], byte[]> redisConnection(RedisClient client) {
    return client.connect(ByteArrayCodec.INSTANCE);
  }
}
