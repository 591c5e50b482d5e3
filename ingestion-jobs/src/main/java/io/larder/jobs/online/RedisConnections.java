package io.larder.jobs.online;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens the online store named by a RedisTarget: one standalone server, or a Redis Cluster from
 * comma-separated seeds. Both are a {@link UnifiedJedis}, Jedis's own seam over the two, so the
 * writer never asks which one it has.
 */
final class RedisConnections {

  private RedisConnections() {}

  static UnifiedJedis open(String uri, boolean cluster) {
    if (cluster) {
      return RedisClusterClient.create(clusterSeeds(uri));
    }
    return RedisClient.create(URI.create(withScheme(uri.trim())));
  }

  /** {@code host:port[,host:port...]}, each optionally written as {@code redis://host:port}. */
  static Set<HostAndPort> clusterSeeds(String uri) {
    Set<HostAndPort> seeds = new LinkedHashSet<>();
    Arrays.stream(uri.split(","))
        .map(String::trim)
        .filter(seed -> !seed.isEmpty())
        .forEach(
            seed -> {
              URI parsed = URI.create(withScheme(seed));
              if (parsed.getHost() == null || parsed.getPort() < 0) {
                throw new IllegalArgumentException(
                    "redis.uri: cluster seed '" + seed + "' is not host:port");
              }
              seeds.add(new HostAndPort(parsed.getHost(), parsed.getPort()));
            });
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("redis.uri: no cluster seeds in '" + uri + "'");
    }
    return seeds;
  }

  private static String withScheme(String uri) {
    return uri.contains("://") ? uri : "redis://" + uri;
  }
}
