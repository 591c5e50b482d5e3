package io.larder.gateway.store.redis;

import io.larder.onlinestore.PemTrust;
import io.larder.onlinestore.RedisUris;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Builds the Lettuce clients of the online store, standalone or Cluster, from the properties. */
final class RedisConnectors {

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private RedisConnectors() {}

  static RedisConnector standalone(RedisStoreProperties properties) {
    RedisURI uri = uri(properties.uri(), properties);
    Resources resources = Resources.create(properties);
    RedisClient client = RedisClient.create(resources.clientResources(), uri);
    client.setOptions(withCommonOptions(ClientOptions.builder(), properties).build());
    return new LazyRedisConnector(
            "Redis at " + address(uri),
            () -> client.connectAsync(ByteArrayCodec.INSTANCE, uri),
            properties.reconnectMaxDelay(),
            () -> {
              client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
              resources.shutdown();
            })
        .start();
  }

  static RedisConnector cluster(RedisStoreProperties properties) {
    List<RedisURI> seeds =
        properties.clusterNodes().stream().map(node -> uri(node, properties)).toList();
    Resources resources = Resources.create(properties);
    RedisClusterClient client = RedisClusterClient.create(resources.clientResources(), seeds);
    ClusterClientOptions.Builder options =
        withCommonOptions(ClusterClientOptions.builder(), properties);
    // Follow slot moves and failovers: on MOVED/ASK and persistent reconnects at once, and
    // every 30 s in case no command noticed.
    options.topologyRefreshOptions(
        ClusterTopologyRefreshOptions.builder()
            .enableAllAdaptiveRefreshTriggers()
            .enablePeriodicRefresh(Duration.ofSeconds(30))
            .build());
    client.setOptions(options.build());
    return new LazyRedisConnector(
            "Redis Cluster at "
                + seeds.stream().map(RedisConnectors::address).collect(Collectors.joining(",")),
            // connectAsync needs the slot map loaded; getPartitions() would load it blocking.
            () ->
                client
                    .refreshPartitionsAsync()
                    .thenCompose(loaded -> client.connectAsync(ByteArrayCodec.INSTANCE)),
            properties.reconnectMaxDelay(),
            () -> {
              client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
              resources.shutdown();
            })
        .start();
  }

  private static RedisURI uri(String text, RedisStoreProperties properties) {
    RedisURI uri;
    try {
      uri = RedisURI.create(text);
    } catch (IllegalArgumentException e) {
      // Lettuce's message quotes the URI, and with it any password written into it.
      throw new IllegalArgumentException(
          "larder.redis: '" + RedisUris.masked(text) + "' is not a Redis URI", null);
    }
    // Also bounds the connection handshake: a server that accepts but does not answer (frozen,
    // overloaded) must not hold a connect attempt for Lettuce's default 60 s.
    uri.setTimeout(properties.commandTimeout());
    if (properties.hasPassword()) {
      uri.setCredentialsProvider(RedisPasswordCredentials.of(properties));
    } else if (!properties.username().isEmpty()) {
      throw new IllegalArgumentException(
          "larder.redis.username is set without larder.redis.password or password-file");
    }
    if (properties.tls().enabled()) {
      uri.setSsl(true);
    }
    if (uri.isSsl()) {
      uri.setVerifyPeer(properties.tls().verifyHostname() ? SslVerifyMode.FULL : SslVerifyMode.CA);
    }
    return uri;
  }

  /** A generator seeded now, at start-up, so that drawing from it later reads no entropy file. */
  private static SecureRandom seededRandom() {
    try {
      SecureRandom random = SecureRandom.getInstance("DRBG");
      random.nextBytes(new byte[1]);
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM offers no DRBG SecureRandom", e);
    }
  }

  private static String address(RedisURI uri) {
    String address =
        uri.getSocket() != null ? uri.getSocket() : uri.getHost() + ":" + uri.getPort();
    return uri.isSsl() ? address + " (TLS)" : address;
  }

  private static <B extends ClientOptions.Builder> B withCommonOptions(
      B builder, RedisStoreProperties properties) {
    String caFile = properties.tls().caFile();
    if (!caFile.isEmpty() || usesTls(properties)) {
      SecureRandom random = seededRandom();
      // Trust loaded once here: left to Lettuce, a CA file or the JVM's cacerts is read on every
      // connect, on an event loop.
      builder.sslOptions(
          SslOptions.builder()
              .jdkSslProvider()
              .trustManager(
                  caFile.isEmpty()
                      ? PemTrust.jvmDefault()
                      : PemTrust.trustManagerFactory(caFile, "larder.redis.tls.ca-file"))
              // Lettuce builds a TLS context on every connect, on an event loop; with its own
              // random each would read /dev/urandom there (BlockHound caught it).
              .sslContext(context -> context.secureRandom(random))
              .build());
    }
    builder
        .autoReconnect(true)
        // Lettuce queues commands while disconnected by default and lets them wait; a feature
        // server must answer UNAVAILABLE at once instead, holding nothing per waiting request.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // Unbounded by default; a full queue fails the batch instead of growing the heap.
        .requestQueueSize(properties.requestQueueSize())
        // A backstop behind the per-chunk budget: no command outlives the budget of the largest
        // read a connection can hold (request-queue-size commands) inside Lettuce.
        .timeoutOptions(
            TimeoutOptions.enabled(
                properties
                    .commandTimeout()
                    .multipliedBy(
                        (properties.requestQueueSize() + properties.maxBatchCommands() - 1)
                            / properties.maxBatchCommands())))
        .socketOptions(
            SocketOptions.builder()
                .connectTimeout(properties.connectTimeout())
                .tcpNoDelay(true)
                // Notice a peer that vanished without closing (host down, network cut) in
                // seconds, so the watchdog reconnects instead of waiting on a dead socket.
                .keepAlive(
                    SocketOptions.KeepAliveOptions.builder()
                        .enable()
                        .idle(Duration.ofSeconds(5))
                        .interval(Duration.ofSeconds(2))
                        .count(3)
                        .build())
                .build());
    return builder;
  }

  private static boolean usesTls(RedisStoreProperties properties) {
    return properties.tls().enabled()
        || properties.uri().startsWith("rediss")
        || properties.clusterNodes().stream().anyMatch(node -> node.startsWith("rediss"));
  }

  /** The threads and timer of one client, shut down with it. */
  private record Resources(ClientResources clientResources, HashedWheelTimer timer) {

    static Resources create(RedisStoreProperties properties) {
      HashedWheelTimer timer =
          new HashedWheelTimer(
              new DefaultThreadFactory("larder-redis-timer", true), 10, TimeUnit.MILLISECONDS);
      // Started here: HashedWheelTimer otherwise starts on first use, i.e. inside the first
      // command's dispatch on a request thread, where its start-up wait would block.
      timer.start();
      ClientResources resources =
          DefaultClientResources.builder()
              // Lettuce backs off up to 30 s by default; capped, a restarted Redis is found
              // within the cap however long it was gone.
              .reconnectDelay(
                  Delay.exponential(
                      Duration.ofMillis(1),
                      properties.reconnectMaxDelay(),
                      2,
                      TimeUnit.MILLISECONDS))
              .timer(timer)
              // Per-command latency histograms are not read by anyone; skip their cost.
              .commandLatencyRecorder(CommandLatencyRecorder.disabled())
              .build();
      return new Resources(resources, timer);
    }

    void shutdown() {
      try {
        clientResources
            .shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis());
      } finally {
        timer.stop();
      }
    }
  }
}
