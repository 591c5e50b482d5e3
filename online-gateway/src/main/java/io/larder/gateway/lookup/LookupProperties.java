package io.larder.gateway.lookup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Request limits and streaming shape of online lookups ({@code larder.gateway.*}).
 *
 * @param maxEntityRows most entity rows one request may carry
 * @param maxFeatures most feature references one request may carry
 * @param streamChunkRows entity rows per online-store batch when streaming
 * @param streamConcurrency store batches of one streamed request in flight at once
 * @param requestTimeout how long a lookup may take when the client sets no deadline of its own (a
 *     gRPC deadline, or the HTTP X-Request-Timeout header); a client's longer one is cut to it
 */
@ConfigurationProperties("larder.gateway")
public record LookupProperties(
    @DefaultValue("10000") int maxEntityRows,
    @DefaultValue("1000") int maxFeatures,
    @DefaultValue("64") int streamChunkRows,
    @DefaultValue("4") int streamConcurrency,
    @DefaultValue("10s") Duration requestTimeout) {

  public LookupProperties {
    positive("larder.gateway.max-entity-rows", maxEntityRows);
    positive("larder.gateway.max-features", maxFeatures);
    positive("larder.gateway.stream-chunk-rows", streamChunkRows);
    positive("larder.gateway.stream-concurrency", streamConcurrency);
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "larder.gateway.request-timeout must be positive, was " + requestTimeout);
    }
  }

  /** The defaults, for tests and tools. */
  public static LookupProperties defaults() {
    return new LookupProperties(10_000, 1_000, 64, 4, Duration.ofSeconds(10));
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
