package io.larder.loadtest.driver;

/**
 * A fixed arrival rate (open workload model): request {@code i} is due at {@code start + i / rate}
 * whatever happened to the requests before it, so a slow server cannot slow the load down.
 *
 * @param startNanos {@link System#nanoTime()} of the first request
 * @param requestsPerSecond the arrival rate
 */
public record OpenModelSchedule(long startNanos, double requestsPerSecond) {

  public OpenModelSchedule {
    if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException("requestsPerSecond must be a positive number");
    }
  }

  /** When request {@code index} (from 0) is meant to be sent. */
  public long intendedSendNanos(long index) {
    return startNanos + Math.round(index * 1_000_000_000d / requestsPerSecond);
  }

  /** How many requests fall due in {@code durationNanos}. */
  public long requestsWithin(long durationNanos) {
    return (long) Math.floor(durationNanos * requestsPerSecond / 1_000_000_000d);
  }
}
