package io.larder.jobs.online;

import io.larder.proto.larder.JobsProto.RedisTarget;
import java.io.Serializable;

/**
 * Where and how an executor reaches the online store: the serializable part of a RedisTarget. The
 * password stays in its file until a connection is opened.
 */
record RedisAccess(
    String uri, boolean cluster, String username, String passwordFile, boolean tls, String caFile)
    implements Serializable {

  static RedisAccess of(RedisTarget target) {
    if (!target.getUsername().isEmpty() && target.getPasswordFile().isEmpty()) {
      throw new IllegalArgumentException("redis.username is set without redis.password_file");
    }
    return new RedisAccess(
        target.getUri(),
        target.getCluster(),
        target.getUsername(),
        target.getPasswordFile(),
        target.getTls(),
        target.getTlsCaFile());
  }

  /** Plain host:port access, no credentials, no TLS. */
  static RedisAccess plain(String uri, boolean cluster) {
    return new RedisAccess(uri, cluster, "", "", false, "");
  }
}
