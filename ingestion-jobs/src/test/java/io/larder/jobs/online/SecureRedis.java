package io.larder.jobs.online;

import io.larder.proto.larder.JobsProto.RedisTarget;
import redis.clients.jedis.UnifiedJedis;

/**
 * The stack's secured Redis ({@code scripts/stack start redis-secure}): TLS only, ACL user {@code
 * ingest} with its password in a file.
 */
public final class SecureRedis {

  private SecureRedis() {}

  public static RedisTarget target() {
    return RedisTarget.newBuilder()
        .setUri(required("LARDER_REDIS_SECURE_URL"))
        .setUsername("ingest")
        .setPasswordFile(required("LARDER_REDIS_SECURE_INGEST_PASSWORD_FILE"))
        .setTlsCaFile(required("LARDER_REDIS_SECURE_CA_FILE"))
        .build();
  }

  /** A connection as the job opens it. */
  public static UnifiedJedis open(RedisTarget target) {
    return RedisConnections.open(RedisAccess.of(target));
  }

  private static String required(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          variable
              + " is not set: start the secured Redis with `scripts/stack start redis-secure`"
              + " and export `scripts/stack env redis-secure`");
    }
    return value;
  }
}
