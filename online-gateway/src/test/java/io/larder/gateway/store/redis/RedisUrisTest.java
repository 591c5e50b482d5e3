package io.larder.gateway.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.onlinestore.RedisUris;
import org.junit.jupiter.api.Test;

class RedisUrisTest {

  @Test
  void masksThePasswordAndKeepsTheUser() {
    assertThat(RedisUris.masked("rediss://gateway:s3cret@10.0.0.1:6380/0"))
        .isEqualTo("rediss://gateway:****@10.0.0.1:6380/0");
  }

  @Test
  void aUserInfoWithoutAColonIsAPasswordAndMaskedWhole() {
    assertThat(RedisUris.masked("redis://s3cret@host:6379")).isEqualTo("redis://****@host:6379");
  }

  @Test
  void leavesUrisWithoutCredentialsAlone() {
    assertThat(RedisUris.masked("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(RedisUris.masked("redis-socket:///tmp/redis.sock"))
        .isEqualTo("redis-socket:///tmp/redis.sock");
  }

  @Test
  void propertiesNeverPrintThePassword() {
    RedisStoreProperties properties =
        RedisTestSupport.properties(
            "uri", "redis://u:from-uri@h:1", "password", "from-property", "username", "u");
    assertThat(properties.toString())
        .doesNotContain("from-uri")
        .doesNotContain("from-property")
        .contains("password=****");
  }
}
