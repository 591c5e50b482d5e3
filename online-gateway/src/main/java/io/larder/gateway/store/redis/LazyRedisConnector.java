package io.larder.gateway.store.redis;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Makes the first connection in the background and keeps trying until it succeeds, so the gateway
 * starts while Redis is down (reads fail fast meanwhile) and needs no restart when Redis appears.
 * Once connected, Lettuce's own watchdog reconnects after every later loss.
 */
final class LazyRedisConnector implements RedisConnector {

  private static final Logger log = LoggerFactory.getLogger(LazyRedisConnector.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(10);
  // Keep saying that Redis is still unreachable, but not on every attempt (2 per second).
  private static final long LOG_EVERY_ATTEMPTS = 60;

  private final String description;
  private final Supplier<? extends CompletionStage<? extends StatefulConnection<byte[], byte[]>>>
      connect;
  private final Duration maxRetryDelay;
  private final Runnable shutdown;
  private final AtomicLong failedAttempts = new AtomicLong();

  private volatile StatefulConnection<byte[], byte[]> connection;
  private volatile StatefulConnection<byte[], byte[]> largeReadConnection;
  private volatile String lastFailure = "first attempt still running";
  private volatile boolean closed;
  private volatile Disposable connecting;

  /**
   * @param connect starts one connection attempt
   * @param maxRetryDelay the cap of the backoff between attempts
   * @param shutdown releases the client and its threads
   */
  LazyRedisConnector(
      String description,
      Supplier<? extends CompletionStage<? extends StatefulConnection<byte[], byte[]>>> connect,
      Duration maxRetryDelay,
      Runnable shutdown) {
    this.description = description;
    this.connect = connect;
    this.maxRetryDelay = maxRetryDelay;
    this.shutdown = shutdown;
  }

  /** Starts connecting in the background; returns at once. */
  LazyRedisConnector start() {
    connecting =
        Mono.defer(this::connectBoth)
            .doOnError(this::attemptFailed)
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, FIRST_RETRY)
                    .maxBackoff(maxRetryDelay)
                    .filter(ignored -> !closed))
            .subscribe(this::connected, this::gaveUp);
    return this;
  }

  /** Both connections at once (a start-up waits for the slower, not for the two in turn). */
  private Mono<List<StatefulConnection<byte[], byte[]>>> connectBoth() {
    CompletableFuture<? extends StatefulConnection<byte[], byte[]>> small =
        connect.get().toCompletableFuture();
    CompletableFuture<? extends StatefulConnection<byte[], byte[]>> large =
        connect.get().toCompletableFuture();
    CompletableFuture<List<StatefulConnection<byte[], byte[]>>> both =
        CompletableFuture.allOf(small, large)
            .<List<StatefulConnection<byte[], byte[]>>>thenApply(
                done -> List.of(small.join(), large.join()))
            .whenComplete(
                (made, failed) -> {
                  if (failed != null) {
                    // Both or neither: the one that connected must not leak.
                    closeIfMade(small);
                    closeIfMade(large);
                  }
                });
    return Mono.fromFuture(both);
  }

  private static void closeIfMade(
      CompletableFuture<? extends StatefulConnection<byte[], byte[]>> attempt) {
    if (attempt.isDone() && !attempt.isCompletedExceptionally()) {
      attempt.join().closeAsync();
    }
  }

  /** Both made (Lettuce reconnects them after that). */
  @Override
  public boolean connected() {
    return connection != null;
  }

  @Override
  public StatefulConnection<byte[], byte[]> connection() {
    StatefulConnection<byte[], byte[]> current = connection;
    if (current == null) {
      throw new RedisConnectionException(
          "not connected to " + description + " yet (" + lastFailure + ")");
    }
    return current;
  }

  @Override
  public StatefulConnection<byte[], byte[]> largeReadConnection() {
    StatefulConnection<byte[], byte[]> current = largeReadConnection;
    if (current == null) {
      throw new RedisConnectionException(
          "not connected to " + description + " yet (" + lastFailure + ")");
    }
    return current;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Disposable attempt = connecting;
    if (attempt != null) {
      attempt.dispose();
    }
    StatefulConnection<byte[], byte[]> current = connection;
    StatefulConnection<byte[], byte[]> large = largeReadConnection;
    connection = null;
    largeReadConnection = null;
    try {
      if (current != null) {
        current.close();
      }
      if (large != null) {
        large.close();
      }
    } finally {
      shutdown.run();
    }
  }

  private void connected(List<StatefulConnection<byte[], byte[]>> made) {
    if (closed) {
      made.forEach(StatefulConnection::closeAsync);
      return;
    }
    largeReadConnection = made.get(1);
    connection = made.get(0);
    long failed = failedAttempts.get();
    log.info(
        "connected to {}{}",
        description,
        failed == 0 ? "" : " after " + failed + " failed attempt(s)");
  }

  private void attemptFailed(Throwable error) {
    lastFailure = withRootCause(error);
    long failed = failedAttempts.incrementAndGet();
    if (failed == 1 || failed % LOG_EVERY_ATTEMPTS == 0) {
      log.warn(
          "cannot connect to {} ({} attempt(s) so far): {}; reads fail as unavailable, retrying"
              + " every {} ms at most",
          description,
          failed,
          lastFailure,
          maxRetryDelay.toMillis());
    }
  }

  /**
   * "Unable to connect to …" alone does not say why: a refused password, an untrusted certificate.
   */
  private static String withRootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(error.getMessage());
    return root == error || root.getMessage() == null || message.contains(root.getMessage())
        ? message
        : message + ": " + root.getMessage();
  }

  private void gaveUp(Throwable error) {
    if (!closed) {
      log.error("stopped connecting to {}", description, error);
    }
  }
}
