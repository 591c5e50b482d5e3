package io.larder.loadtest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FreshnessTrackerTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void anEventIsServedOnlyWithItsProducedValueAndCountedOnce() {
    FreshnessTracker tracker = new FreshnessTracker();
    tracker.sent(1_000, 0, 100 * MS);

    assertThat(tracker.served(1_000, 7, 150 * MS)).as("another value: an older write").isFalse();
    assertThat(tracker.served(1_000, 0, 400 * MS)).isTrue();
    assertThat(tracker.served(1_000, 0, 500 * MS)).as("already served").isFalse();

    FreshnessTracker.Summary summary = tracker.summary();
    assertThat(summary.served()).isEqualTo(1);
    assertThat(summary.latency().getTotalCount()).isEqualTo(1);
    assertThat(summary.latency().getMaxValue()).isBetween(299 * MS, 301 * MS);
  }

  @Test
  void theOldestOutstandingEventsComeFirst() {
    FreshnessTracker tracker = new FreshnessTracker();
    for (int seq = 0; seq < 5; seq++) {
      tracker.sent(1_000 + seq, seq, seq * MS);
    }
    tracker.served(1_001, 1, 10 * MS);

    assertThat(tracker.oldest(3))
        .extracting(Map.Entry::getKey)
        .containsExactly(1_000L, 1_002L, 1_003L);
  }

  @Test
  void eventsNotServedWithinTheTimeoutCountAsNeverServedAndEndTheRun() {
    FreshnessTracker tracker = new FreshnessTracker();
    tracker.sent(1, 1, 0);
    tracker.sent(2, 2, 900 * MS);
    tracker.producerDone();

    assertThat(tracker.expire(1_500 * MS, 1_000 * MS)).isEqualTo(1);
    assertThat(tracker.done()).isFalse();
    tracker.served(2, 2, 1_600 * MS);

    assertThat(tracker.done()).isTrue();
    assertThat(tracker.summary().neverServed()).isEqualTo(1);
    assertThat(tracker.summary().served()).isEqualTo(1);
  }

  @Test
  void aFailedSendIsNeitherServedNorNeverServed() {
    FreshnessTracker tracker = new FreshnessTracker();
    tracker.sent(1, 1, 0);
    tracker.sendFailed(1);
    tracker.producerDone();

    assertThat(tracker.done()).isTrue();
    assertThat(tracker.summary().sendFailed()).isEqualTo(1);
    assertThat(tracker.summary().neverServed()).isZero();
  }
}
