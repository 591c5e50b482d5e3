package io.larder.gateway.store.redis;

import io.larder.onlinestore.RedisUris;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the online store lives and how hard the gateway leans on it ({@code larder.redis.*}). Every
 * setting has a default, so none needs to be written down.
 *
 * @param mode standalone (one server at {@code uri}) or cluster (seed nodes {@code cluster-nodes})
 * @param uri a Lettuce Redis URI of the standalone server, e.g. redis://127.0.0.1:6379
 * @param clusterNodes Redis URIs of some Cluster nodes; the client discovers the rest
 * @param username the ACL user to authenticate as (empty: {@code default}, or the URI's)
 * @param password its password; prefer {@code passwordFile}
 * @param passwordFile a file holding the password (read again on every connect, so a rotated
 *     password is picked up by the next reconnect)
 * @param tls TLS towards Redis (a {@code rediss://} URI turns it on too)
 * @param commandTimeout how long each chunk of {@code maxBatchCommands} reads may take: a read of N
 *     chunks fails as unavailable after N times this
 * @param connectTimeout how long one TCP connect may take
 * @param reconnectMaxDelay the cap of the backoff between reconnect attempts
 * @param maxBatchCommands HMGETs handed to the connection in one write; larger reads are split
 * @param requestQueueSize commands a connection may hold (written, awaiting a reply) at once
 * @param maxConcurrentBatches reads in flight at once; more fail at once instead of queueing
 * @param chunksInFlightPerRead chunks of one large read written to the connection before the first
 *     of them is answered; further chunks follow as earlier ones complete, so other reads on the
 *     connection never wait behind a whole large one
 * @param maxLargeReadCommands HMGETs that reads larger than one chunk may have in flight together
 *     (a read larger than this alone takes all of it); a large read beyond it fails at once, so
 *     large requests never take the capacity (or memory) small ones need
 * @param circuitBreaker when to stop calling Redis and how soon to try again
 */
@ConfigurationProperties("larder.redis")
public record RedisStoreProperties(
    @DefaultValue("standalone") Mode mode,
    @DefaultValue("redis://127.0.0.1:6379") String uri,
    @DefaultValue({"redis://127.0.0.1:7000", "redis://127.0.0.1:7001", "redis://127.0.0.1:7002"})
        List<String> clusterNodes,
    @DefaultValue("") String username,
    @DefaultValue("") String password,
    @DefaultValue("") String passwordFile,
    @DefaultValue Tls tls,
    @DefaultValue("250ms") Duration commandTimeout,
    @DefaultValue("1s") Duration connectTimeout,
    @DefaultValue("500ms") Duration reconnectMaxDelay,
    @DefaultValue("512") int maxBatchCommands,
    @DefaultValue("65536") int requestQueueSize,
    @DefaultValue("256") int maxConcurrentBatches,
    @DefaultValue("2") int chunksInFlightPerRead,
    @DefaultValue("40000") int maxLargeReadCommands,
    @DefaultValue CircuitBreaker circuitBreaker) {

  public RedisStoreProperties {
    requirePositive("command-timeout", commandTimeout);
    requirePositive("connect-timeout", connectTimeout);
    requirePositive("reconnect-max-delay", reconnectMaxDelay);
    if (maxBatchCommands < 1) {
      throw new IllegalArgumentException("larder.redis.max-batch-commands must be at least 1");
    }
    // A connection must be able to hold at least one full batch, or every large read fails.
    if (requestQueueSize < maxBatchCommands) {
      throw new IllegalArgumentException(
          "larder.redis.request-queue-size must be at least larder.redis.max-batch-commands ("
              + maxBatchCommands
              + ")");
    }
    if (maxConcurrentBatches < 1) {
      throw new IllegalArgumentException("larder.redis.max-concurrent-batches must be at least 1");
    }
    if (chunksInFlightPerRead < 1) {
      throw new IllegalArgumentException(
          "larder.redis.chunks-in-flight-per-read must be at least 1");
    }
    if (maxLargeReadCommands < maxBatchCommands) {
      throw new IllegalArgumentException(
          "larder.redis.max-large-read-commands must be at least larder.redis.max-batch-commands ("
              + maxBatchCommands
              + ")");
    }
    if (mode == Mode.CLUSTER && (clusterNodes == null || clusterNodes.isEmpty())) {
      throw new IllegalArgumentException(
          "larder.redis.cluster-nodes must name at least one node when larder.redis.mode=cluster");
    }
    clusterNodes = clusterNodes == null ? List.of() : List.copyOf(clusterNodes);
    if (!password.isEmpty() && !passwordFile.isEmpty()) {
      throw new IllegalArgumentException(
          "set one of larder.redis.password and larder.redis.password-file, not both");
    }
  }

  /** Whether the connections authenticate with a configured password (file or value). */
  boolean hasPassword() {
    return !password.isEmpty() || !passwordFile.isEmpty();
  }

  /** Never prints the password, only whether one is set. */
  @Override
  public String toString() {
    return "RedisStoreProperties[mode=%s, uri=%s, clusterNodes=%s, username=%s, password=%s, passwordFile=%s, tls=%s, commandTimeout=%s, connectTimeout=%s, reconnectMaxDelay=%s, maxBatchCommands=%d, requestQueueSize=%d, maxConcurrentBatches=%d, chunksInFlightPerRead=%d, maxLargeReadCommands=%d, circuitBreaker=%s]"
        .formatted(
            mode,
            RedisUris.masked(uri),
            clusterNodes.stream().map(RedisUris::masked).toList(),
            username,
            password.isEmpty() ? "" : "****",
            passwordFile,
            tls,
            commandTimeout,
            connectTimeout,
            reconnectMaxDelay,
            maxBatchCommands,
            requestQueueSize,
            maxConcurrentBatches,
            chunksInFlightPerRead,
            maxLargeReadCommands,
            circuitBreaker);
  }

  /**
   * TLS towards Redis ({@code larder.redis.tls.*}).
   *
   * @param enabled connect with TLS (also on for a {@code rediss://} URI)
   * @param caFile PEM file of the certificate(s) to trust (empty: the JVM's default trust store)
   * @param verifyHostname check that the server's certificate names the host connected to; off only
   *     checks that a trusted CA signed it
   */
  public record Tls(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("") String caFile,
      @DefaultValue("true") boolean verifyHostname) {}

  /** Which Redis deployment the gateway reads from. */
  public enum Mode {
    STANDALONE,
    CLUSTER
  }

  /**
   * The circuit breaker around Redis ({@code larder.redis.circuit-breaker.*}); names follow
   * Resilience4j's.
   *
   * @param failureRateThreshold percentage of failed batches in the window that opens the circuit
   * @param slowCallRateThreshold percentage of slow batches in the window that opens the circuit
   * @param slowCallDurationThreshold a batch slower than this counts as slow; above the command
   *     timeout by default, so only failures (timeouts included) open the circuit: on a CPU-starved
   *     host slow-but-answered reads are still answers (measured: a 200 ms threshold turned a
   *     Gatling JVM start-up on 2 cores into 7.8 % of 503s)
   * @param slidingWindowSize the last N batches the rates are computed over
   * @param minimumNumberOfCalls batches seen before the rates are judged at all
   * @param waitDurationInOpenState how long an open circuit fails every read before it lets probes
   *     through (kept short: with reconnects capped at 500 ms the gateway is back within 2 s)
   * @param permittedNumberOfCallsInHalfOpenState probe batches that decide whether to close again
   */
  public record CircuitBreaker(
      @DefaultValue("50") float failureRateThreshold,
      @DefaultValue("100") float slowCallRateThreshold,
      @DefaultValue("1s") Duration slowCallDurationThreshold,
      @DefaultValue("20") int slidingWindowSize,
      @DefaultValue("10") int minimumNumberOfCalls,
      @DefaultValue("500ms") Duration waitDurationInOpenState,
      @DefaultValue("3") int permittedNumberOfCallsInHalfOpenState) {

    public CircuitBreaker {
      requirePositive("circuit-breaker.slow-call-duration-threshold", slowCallDurationThreshold);
      requirePositive("circuit-breaker.wait-duration-in-open-state", waitDurationInOpenState);
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("larder.redis." + name + " must be a positive duration");
    }
  }
}
