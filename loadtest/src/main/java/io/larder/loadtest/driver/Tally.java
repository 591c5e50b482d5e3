package io.larder.loadtest.driver;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/** The counted part of a run; every method is thread-safe (completions arrive on I/O threads). */
public final class Tally {

  private final Duration measured;
  private final IntendedTimeLatency latency = new IntendedTimeLatency();
  private final IntendedTimeLatency sendLag = new IntendedTimeLatency();
  private final LongAdder ok = new LongAdder();
  private final LongAdder rows = new LongAdder();
  private final LongAdder valuesPresent = new LongAdder();
  private final LongAdder valuesChecked = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

  public Tally(Duration measured) {
    this.measured = measured;
  }

  /** One completed call; latency is only recorded for successful ones, errors are counted. */
  public void record(
      long intendedSendNanos,
      long completedNanos,
      CallResult result,
      Throwable error,
      LoadRunner.ErrorClassifier classifier) {
    if (error != null) {
      error(classifier.apply(unwrap(error)));
      return;
    }
    latency.record(intendedSendNanos, completedNanos);
    ok.increment();
    rows.add(result.rows());
    valuesPresent.add(result.valuesPresent());
    valuesChecked.add(result.valuesChecked());
  }

  /**
   * How late the driver itself started a call (open model): if this is not small against the
   * latencies, the driver, not the target, is what is being measured.
   */
  public void sendLag(long intendedSendNanos, long actualSendNanos) {
    sendLag.record(intendedSendNanos, actualSendNanos);
  }

  public void error(String name) {
    errors.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  public Duration measured() {
    return measured;
  }

  public long ok() {
    return ok.sum();
  }

  public long rows() {
    return rows.sum();
  }

  public long valuesPresent() {
    return valuesPresent.sum();
  }

  public long valuesChecked() {
    return valuesChecked.sum();
  }

  /** Error name to count, sorted by name. */
  public Map<String, Long> errors() {
    Map<String, Long> sorted = new TreeMap<>();
    errors.forEach((name, count) -> sorted.put(name, count.sum()));
    return sorted;
  }

  public Histogram latency() {
    return latency.snapshot();
  }

  public Histogram sendLag() {
    return sendLag.snapshot();
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
