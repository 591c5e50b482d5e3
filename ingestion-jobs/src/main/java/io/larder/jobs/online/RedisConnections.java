package io.larder.jobs.online;

import io.larder.onlinestore.PemTrust;
import io.larder.onlinestore.RedisUris;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens the online store named by a RedisTarget: one standalone server, or a Redis Cluster from
 * comma-separated seeds. Both are a {@link UnifiedJedis}, Jedis's own seam over the two, so the
 * writer never asks which one it has. An ACL user, a password from a file and TLS apply to both.
 */
final class RedisConnections {

  private RedisConnections() {}

  static UnifiedJedis open(RedisAccess access) {
    JedisClientConfig config = clientConfig(access);
    if (access.cluster()) {
      return RedisClusterClient.builder()
          .nodes(clusterSeeds(access.uri()))
          .clientConfig(config)
          .build();
    }
    return RedisClient.builder()
        .hostAndPort(standaloneAddress(access.uri()))
        .clientConfig(config)
        .build();
  }

  static JedisClientConfig clientConfig(RedisAccess access) {
    URI first = URI.create(withScheme(access.uri().split(",")[0].trim()));
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder();
    String username = access.username();
    String password = null;
    if (!access.passwordFile().isEmpty()) {
      password = readPassword(access.passwordFile());
    } else if (first.getUserInfo() != null) {
      // redis://[user:]password@host — as Jedis and Lettuce read a URI.
      String userInfo = first.getUserInfo();
      int colon = userInfo.indexOf(':');
      password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
      if (username.isEmpty() && colon > 0) {
        username = userInfo.substring(0, colon);
      }
    }
    if (!username.isEmpty()) {
      config.user(username);
    }
    if (password != null) {
      config.password(password);
    }
    int database = database(first);
    if (database > 0) {
      config.database(database);
    }
    if (access.tls() || "rediss".equals(first.getScheme())) {
      SSLParameters parameters = new SSLParameters();
      // Jedis checks no host name unless told: the certificate must name the host we dialled.
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      config.ssl(true).sslParameters(parameters);
      if (!access.caFile().isEmpty()) {
        config.sslSocketFactory(
            PemTrust.sslContext(access.caFile(), "redis.tls_ca_file").getSocketFactory());
      }
    }
    return config.build();
  }

  /** {@code host:port[,host:port...]}, each optionally written as {@code redis://host:port}. */
  static Set<HostAndPort> clusterSeeds(String uri) {
    Set<HostAndPort> seeds = new LinkedHashSet<>();
    Arrays.stream(uri.split(","))
        .map(String::trim)
        .filter(seed -> !seed.isEmpty())
        .forEach(seed -> seeds.add(hostAndPort(seed, "cluster seed")));
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException(
          "redis.uri: no cluster seeds in '" + RedisUris.masked(uri) + "'");
    }
    return seeds;
  }

  private static HostAndPort standaloneAddress(String uri) {
    return hostAndPort(uri.trim(), "server");
  }

  private static HostAndPort hostAndPort(String text, String what) {
    URI parsed = URI.create(withScheme(text));
    if (parsed.getHost() == null || parsed.getPort() < 0) {
      throw new IllegalArgumentException(
          "redis.uri: " + what + " '" + RedisUris.masked(text) + "' is not host:port");
    }
    return new HostAndPort(parsed.getHost(), parsed.getPort());
  }

  private static int database(URI uri) {
    String path = uri.getPath();
    if (path == null || path.length() <= 1) {
      return 0;
    }
    try {
      return Integer.parseInt(path.substring(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "redis.uri: '" + path.substring(1) + "' is not a database number", null);
    }
  }

  private static String readPassword(String file) {
    try {
      // A trailing newline (echo > file) is not part of the password.
      return Files.readString(Path.of(file)).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "redis.password_file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String withScheme(String uri) {
    return uri.contains("://") ? uri : "redis://" + uri;
  }
}
