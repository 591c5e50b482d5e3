package io.larder.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.larder.orchestrator.OrchestratorProperties;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** What the jobs are told about the online store: where, as whom, over TLS; never a password. */
class JobSpecRedisTargetTest {

  @Test
  void anAclUserPasswordFileAndTlsReachTheSpecAsAFilePath() {
    JobSpecFactory factory =
        new JobSpecFactory(
            properties(
                "redis.uri", "rediss://redis.internal:6380",
                "redis.username", "ingest",
                "redis.password-file", "/run/secrets/redis-ingest",
                "redis.tls", "true",
                "redis.tls-ca-file", "/etc/larder/redis-ca.pem"));

    RedisTarget redis =
        factory
            .batch(
                "rides",
                FeatureTableSpec.newBuilder().setName("t").build(),
                List.of(),
                Timestamp.getDefaultInstance(),
                Timestamp.getDefaultInstance())
            .getRedis();

    assertThat(redis)
        .isEqualTo(
            RedisTarget.newBuilder()
                .setUri("rediss://redis.internal:6380")
                .setUsername("ingest")
                .setPasswordFile("/run/secrets/redis-ingest")
                .setTls(true)
                .setTlsCaFile("/etc/larder/redis-ca.pem")
                .build());
  }

  @Test
  void aPasswordInTheUriIsRefusedAtStartUpWithoutEchoingIt() {
    assertThatThrownBy(() -> properties("redis.uri", "redis://ingest:hunter2hunter2@h:6379"))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining("must not hold credentials")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aUsernameWithoutAPasswordFileIsRefused() {
    assertThatThrownBy(() -> properties("redis.username", "ingest"))
        .rootCause()
        .hasMessageContaining("password-file");
  }

  private static OrchestratorProperties properties(String... keyValues) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put("larder.orchestrator." + keyValues[i], keyValues[i + 1]);
    }
    return new Binder(new MapConfigurationPropertySource(map))
        .bindOrCreate("larder.orchestrator", OrchestratorProperties.class);
  }
}
