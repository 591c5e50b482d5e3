package io.larder.loadtest.driver;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency from the moment a request was meant to be sent, not when it actually was: queueing in the
 * driver or the server then shows in the percentiles instead of being hidden (coordinated
 * omission).
 */
public final class IntendedTimeLatency {

  private static final long MAX_TRACKED_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final Recorder recorder = new Recorder(MAX_TRACKED_NANOS, 3);
  private final Histogram total = new Histogram(MAX_TRACKED_NANOS, 3);

  /** Thread-safe; call from any completion callback. */
  public void record(long intendedSendNanos, long completedNanos) {
    long latency = Math.max(0, completedNanos - intendedSendNanos);
    recorder.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
  }

  /** Everything recorded so far; call from one reporting thread. */
  public synchronized Histogram snapshot() {
    total.add(recorder.getIntervalHistogram());
    return total.copy();
  }
}
