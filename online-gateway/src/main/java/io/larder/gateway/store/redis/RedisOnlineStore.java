package io.larder.gateway.store.redis;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.larder.gateway.lookup.OnlineStore;
import io.larder.gateway.lookup.OnlineStoreUnavailableException;
import io.larder.gateway.lookup.StoreRead;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The online store on Redis, standalone or Cluster (whichever {@link RedisConnector} it is given):
 * each {@link #read} is one pipelined batch of HMGETs and MGETs, guarded by a timeout (per chunk of
 * max-batch-commands), a circuit breaker and a bulkhead, so that a slow, dead or overloaded Redis
 * turns into a quick {@link OnlineStoreUnavailableException} and never into waiting requests.
 */
public final class RedisOnlineStore implements OnlineStore, AutoCloseable {

  static final String RESILIENCE_NAME = "redis";
  static final String BATCH_SIZE_METRIC = "larder.redis.batch.commands";

  private static final Logger log = LoggerFactory.getLogger(RedisOnlineStore.class);

  private final RedisConnector connector;
  private final Duration commandTimeout;
  private final int maxBatchCommands;
  private final int maxConcurrentBatches;
  private final int chunksInFlightPerRead;
  private final int maxLargeReadCommands;

  /** Permits are HMGET commands of reads larger than one chunk. */
  private final Semaphore largeReads;

  private final CircuitBreaker circuitBreaker;
  private final Bulkhead bulkhead;
  private final DistributionSummary batchSizes;

  RedisOnlineStore(
      RedisConnector connector, RedisStoreProperties properties, MeterRegistry meterRegistry) {
    this.connector = connector;
    this.commandTimeout = properties.commandTimeout();
    this.maxBatchCommands = properties.maxBatchCommands();
    this.maxConcurrentBatches = properties.maxConcurrentBatches();
    this.chunksInFlightPerRead = properties.chunksInFlightPerRead();
    this.maxLargeReadCommands = properties.maxLargeReadCommands();
    this.largeReads = new Semaphore(maxLargeReadCommands);

    RedisStoreProperties.CircuitBreaker breaker = properties.circuitBreaker();
    CircuitBreakerRegistry breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.slidingWindowSize())
                // Every read's outcome is recorded on the thread that completes it, often an
                // event loop; the default window takes a lock there that parks when contended.
                .slidingWindowSynchronizationStrategy(
                    CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .minimumNumberOfCalls(breaker.minimumNumberOfCalls())
                .failureRateThreshold(breaker.failureRateThreshold())
                .slowCallRateThreshold(breaker.slowCallRateThreshold())
                .slowCallDurationThreshold(breaker.slowCallDurationThreshold())
                .waitDurationInOpenState(breaker.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(
                    breaker.permittedNumberOfCallsInHalfOpenState())
                // Only what says Redis is unhealthy opens the circuit for everyone.
                .recordException(RedisOnlineStore::isStoreHealthFailure)
                .build());
    this.circuitBreaker = breakers.circuitBreaker(RESILIENCE_NAME);
    circuitBreaker.getEventPublisher().onStateTransition(this::logTransition);

    BulkheadRegistry bulkheads =
        BulkheadRegistry.of(
            BulkheadConfig.custom()
                .maxConcurrentCalls(maxConcurrentBatches)
                // Waiting for a slot would queue requests; fail them at once instead.
                .maxWaitDuration(Duration.ZERO)
                .build());
    this.bulkhead = bulkheads.bulkhead(RESILIENCE_NAME);

    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meterRegistry);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meterRegistry);
    this.batchSizes =
        DistributionSummary.builder(BATCH_SIZE_METRIC)
            .description("HMGET commands per pipelined write to Redis (one write and flush)")
            .baseUnit("commands")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue((double) maxBatchCommands)
            .register(meterRegistry);
  }

  @Override
  public Mono<List<List<byte[]>>> read(List<? extends StoreRead> reads) {
    if (reads.isEmpty()) {
      return Mono.just(List.of());
    }
    // The timeout is per chunk of max-batch-commands: a legal large request (10,000 rows x 5
    // tables) takes longer than one chunk's budget without Redis being unhealthy; the caller's own
    // deadline bounds the whole request (its cancellation cancels the commands).
    Duration budget =
        commandTimeout.multipliedBy(
            Math.max(1, (reads.size() + maxBatchCommands - 1) / maxBatchCommands));
    // Applied inside out: the timeout fails the batch, the circuit breaker counts that failure,
    // the bulkhead (outermost) turns away batches beyond the limit before they reach either.
    Mono<List<List<byte[]>>> guarded =
        Mono.defer(
                () ->
                    PipelinedReads.read(
                        reads.size() > maxBatchCommands
                            ? connector.largeReadConnection()
                            : connector.connection(),
                        reads,
                        maxBatchCommands,
                        chunksInFlightPerRead,
                        batchSizes::record))
            .timeout(budget)
            .transformDeferred(CircuitBreakerOperator.of(circuitBreaker))
            .transformDeferred(BulkheadOperator.of(bulkhead));
    if (reads.size() > maxBatchCommands) {
      guarded = admittedAsLarge(reads.size(), guarded);
    }
    return guarded.onErrorMap(
        error -> !(error instanceof OnlineStoreUnavailableException),
        error -> unavailable(error, budget));
  }

  /**
   * A read of more than one chunk runs only while large reads together hold at most
   * max-large-read-commands HMGETs (one larger than that alone takes all of it); otherwise it fails
   * at once, before the breaker, so small reads keep the capacity and memory they need.
   */
  private Mono<List<List<byte[]>>> admittedAsLarge(int commands, Mono<List<List<byte[]>>> read) {
    int permits = Math.min(commands, maxLargeReadCommands);
    return Mono.usingWhen(
        Mono.fromCallable(
            () -> {
              if (!largeReads.tryAcquire(permits)) {
                throw new OnlineStoreUnavailableException(
                    "online store unavailable: "
                        + connector.describe()
                        + ": too many large reads in flight (larder.redis.max-large-read-commands="
                        + maxLargeReadCommands
                        + "); retry",
                    null);
              }
              return permits;
            }),
        held -> read,
        held -> Mono.fromRunnable(() -> largeReads.release(held)),
        (held, error) -> Mono.fromRunnable(() -> largeReads.release(held)),
        held -> Mono.fromRunnable(() -> largeReads.release(held)));
  }

  /**
   * Whether a failed read says Redis is unhealthy (not connected, not answering in time, loading,
   * busy, failing over), as opposed to a refusal of this one read.
   */
  static boolean isStoreHealthFailure(Throwable error) {
    if (error instanceof RedisCommandExecutionException refused) {
      String message = String.valueOf(refused.getMessage());
      return message.startsWith("LOADING")
          || message.startsWith("BUSY")
          || message.startsWith("MASTERDOWN")
          || message.startsWith("CLUSTERDOWN")
          || message.startsWith("TRYAGAIN");
    }
    return !(error instanceof OnlineStoreUnavailableException);
  }

  boolean connected() {
    return connector.connected();
  }

  RedisConnector connector() {
    return connector;
  }

  CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  @Override
  public void close() {
    connector.close();
  }

  /** Opening and closing are news; the probing in between (twice a second) is not. */
  private void logTransition(CircuitBreakerOnStateTransitionEvent event) {
    CircuitBreaker.StateTransition transition = event.getStateTransition();
    if (transition.getToState() == CircuitBreaker.State.OPEN
        && transition.getFromState() == CircuitBreaker.State.CLOSED) {
      log.warn(
          "reads from {} keep failing: circuit breaker open, reads fail fast until a probe"
              + " succeeds",
          connector.describe());
    } else if (transition.getToState() == CircuitBreaker.State.CLOSED) {
      log.info("reads from {} succeed again: circuit breaker closed", connector.describe());
    } else {
      log.debug("circuit breaker around {}: {}", connector.describe(), transition);
    }
  }

  private OnlineStoreUnavailableException unavailable(Throwable error, Duration budget) {
    String reason;
    if (error instanceof CallNotPermittedException) {
      reason =
          "recent reads failed, so reads fail fast (circuit breaker open) until a probe succeeds";
    } else if (error instanceof BulkheadFullException) {
      reason =
          "too many reads in flight (larder.redis.max-concurrent-batches="
              + maxConcurrentBatches
              + ")";
    } else if (error instanceof TimeoutException) {
      reason = "no answer within " + budget.toMillis() + " ms";
    } else if (error instanceof RedisConnectionException) {
      reason = "not connected: " + error.getMessage();
    } else {
      reason = String.valueOf(error.getMessage());
    }
    return new OnlineStoreUnavailableException(
        "online store unavailable: " + connector.describe() + ": " + reason, error);
  }
}
