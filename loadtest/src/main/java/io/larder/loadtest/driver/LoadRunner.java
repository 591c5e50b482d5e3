package io.larder.loadtest.driver;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Runs one asynchronous call under load and tallies the outcome. Two models:
 *
 * <ul>
 *   <li>{@link #open open}: a fixed arrival rate ({@link OpenModelSchedule}); latency counts from
 *       the intended send time, so a stalled server shows in every request queued behind it.
 *   <li>{@link #closed closed}: {@code concurrency} calls always in flight, each started as the
 *       previous one completes; measures the most the target can do (saturation).
 * </ul>
 *
 * A warm-up runs under the same load first and is not counted (JIT, connection set-up, caches).
 */
public final class LoadRunner {

  /** Starts one call; must not block (the open model's schedule runs on the calling thread). */
  @FunctionalInterface
  public interface Call {
    CompletableFuture<CallResult> start();
  }

  /** Error name for a failed call, e.g. the gRPC status code. */
  public interface ErrorClassifier extends Function<Throwable, String> {}

  /** The error a call gets when the open model cannot start it: too many already in flight. */
  public static final String CLIENT_BACKLOG = "CLIENT_BACKLOG";

  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  private LoadRunner() {}

  /**
   * @param maxInFlight calls beyond this are not started but counted as {@link #CLIENT_BACKLOG}, so
   *     a dead target cannot make the driver run out of memory
   * @param drainTimeout how long to wait for the last calls after the schedule ends
   */
  public static Tally open(
      Call call,
      double requestsPerSecond,
      Duration warmup,
      Duration duration,
      int maxInFlight,
      Duration drainTimeout,
      ErrorClassifier classifier) {
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    OpenModelSchedule schedule = new OpenModelSchedule(start, requestsPerSecond);
    long measureFrom = start + warmup.toNanos();
    long measureUntil = measureFrom + duration.toNanos();
    long total = schedule.requestsWithin(warmup.toNanos() + duration.toNanos());
    Tally tally = new Tally(duration);
    AtomicInteger inFlight = new AtomicInteger();
    for (long i = 0; i < total; i++) {
      long due = schedule.intendedSendNanos(i);
      parkUntil(due);
      boolean measured = due >= measureFrom && due < measureUntil;
      if (inFlight.get() >= maxInFlight) {
        if (measured) {
          tally.error(CLIENT_BACKLOG);
        }
        continue;
      }
      inFlight.incrementAndGet();
      if (measured) {
        tally.sendLag(due, System.nanoTime());
      }
      CompletableFuture<CallResult> pending;
      try {
        pending = call.start();
      } catch (RuntimeException e) {
        pending = CompletableFuture.failedFuture(e);
      }
      pending.whenComplete(
          (result, error) -> {
            long done = System.nanoTime();
            inFlight.decrementAndGet();
            if (measured) {
              tally.record(due, done, result, error, classifier);
            }
          });
    }
    awaitDrained(inFlight, drainTimeout);
    return tally;
  }

  /** {@code concurrency} calls in flight, each replaced as it completes, for warm-up + duration. */
  public static Tally closed(
      Call call,
      int concurrency,
      Duration warmup,
      Duration duration,
      Duration drainTimeout,
      ErrorClassifier classifier) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long measureUntil = measureFrom + duration.toNanos();
    Tally tally = new Tally(duration);
    AtomicInteger inFlight = new AtomicInteger();
    for (int i = 0; i < concurrency; i++) {
      new ClosedLoop(call, tally, inFlight, measureFrom, measureUntil, classifier).next();
    }
    parkUntil(measureUntil);
    awaitDrained(inFlight, drainTimeout);
    return tally;
  }

  /** One of the closed model's in-flight slots. */
  private record ClosedLoop(
      Call call,
      Tally tally,
      AtomicInteger inFlight,
      long measureFrom,
      long measureUntil,
      ErrorClassifier classifier) {

    void next() {
      // A call that completes before whenComplete is attached runs its callback on this thread;
      // looping here instead of recursing keeps the stack flat when that happens repeatedly.
      while (true) {
        long sent = System.nanoTime();
        if (sent >= measureUntil) {
          return;
        }
        inFlight.incrementAndGet();
        CompletableFuture<CallResult> pending;
        try {
          pending = call.start();
        } catch (RuntimeException e) {
          pending = CompletableFuture.failedFuture(e);
        }
        if (!pending.isDone()) {
          pending.whenComplete(
              (result, error) -> {
                complete(sent, result, error);
                next();
              });
          return;
        }
        CallResult result = null;
        Throwable error = null;
        try {
          result = pending.join();
        } catch (RuntimeException e) {
          error = e;
        }
        complete(sent, result, error);
      }
    }

    private void complete(long sent, CallResult result, Throwable error) {
      long done = System.nanoTime();
      inFlight.decrementAndGet();
      if (sent >= measureFrom) {
        tally.record(sent, done, result, error, classifier);
      }
    }
  }

  /**
   * Sleeps, then spins the last stretch: parkNanos alone wakes 50-100 us late, which would show up
   * as latency of every request at sub-millisecond scales.
   */
  static void parkUntil(long deadlineNanos) {
    long wait;
    while ((wait = deadlineNanos - System.nanoTime()) > SPIN_NANOS) {
      LockSupport.parkNanos(wait - SPIN_NANOS);
    }
    while (System.nanoTime() < deadlineNanos) {
      Thread.onSpinWait();
    }
  }

  private static void awaitDrained(AtomicInteger inFlight, Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
