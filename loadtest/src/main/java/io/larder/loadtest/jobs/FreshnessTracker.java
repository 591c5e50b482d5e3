package io.larder.loadtest.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Produced events not yet seen served, and the produce → served latency of those that were. The
 * producer records an event just before sending it; the poller asks for the oldest outstanding keys
 * and marks an event served when the gateway answers its key with the produced value. Keys grow
 * with the sequence number, so the lowest keys are the oldest events.
 */
final class FreshnessTracker {

  /** An event produced and not yet served: the value to expect and when it was sent. */
  record Pending(long expected, long sentNanos) {}

  /** What became of the events. Latencies in nanoseconds. */
  record Summary(
      long produced, long served, long neverServed, long sendFailed, Histogram latency) {}

  private final ConcurrentSkipListMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
  private final Histogram latency = new SynchronizedHistogram(TimeUnit.MINUTES.toNanos(30), 3);
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong neverServed = new AtomicLong();
  private final AtomicLong sendFailed = new AtomicLong();
  private volatile boolean producing = true;

  void sent(long key, long expected, long sentNanos) {
    produced.incrementAndGet();
    outstanding.put(key, new Pending(expected, sentNanos));
  }

  /** The send failed (Kafka refused it): not an event the stream job could serve. */
  void sendFailed(long key) {
    if (outstanding.remove(key) != null) {
      sendFailed.incrementAndGet();
    }
  }

  void producerDone() {
    producing = false;
  }

  /** The oldest outstanding events, at most {@code max}. */
  List<Map.Entry<Long, Pending>> oldest(int max) {
    List<Map.Entry<Long, Pending>> oldest = new ArrayList<>(Math.min(max, 1024));
    for (Map.Entry<Long, Pending> entry : outstanding.entrySet()) {
      if (oldest.size() == max) {
        break;
      }
      oldest.add(entry);
    }
    return oldest;
  }

  /**
   * The gateway answered {@code key} with {@code value} at {@code nowNanos}: when that is the value
   * produced, the event is served; its latency is recorded once.
   */
  boolean served(long key, long value, long nowNanos) {
    Pending pending = outstanding.get(key);
    if (pending == null || pending.expected() != value || !outstanding.remove(key, pending)) {
      return false;
    }
    latency.recordValue(Math.max(0, nowNanos - pending.sentNanos()));
    served.incrementAndGet();
    return true;
  }

  /** Gives up on events sent more than {@code timeoutNanos} before {@code nowNanos}. */
  int expire(long nowNanos, long timeoutNanos) {
    int expired = 0;
    for (Map.Entry<Long, Pending> entry : outstanding.entrySet()) {
      if (nowNanos - entry.getValue().sentNanos() > timeoutNanos
          && outstanding.remove(entry.getKey(), entry.getValue())) {
        expired++;
      }
    }
    neverServed.addAndGet(expired);
    return expired;
  }

  long servedCount() {
    return served.get();
  }

  int outstandingCount() {
    return outstanding.size();
  }

  /** Nothing more will be produced and nothing is outstanding. */
  boolean done() {
    return !producing && outstanding.isEmpty();
  }

  Summary summary() {
    return new Summary(
        produced.get(), served.get(), neverServed.get(), sendFailed.get(), latency.copy());
  }
}
