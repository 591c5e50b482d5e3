package io.larder.loadtest.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OpenModelScheduleTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void requestsFallDueAtAFixedRateFromTheStart() {
    OpenModelSchedule schedule = new OpenModelSchedule(1_000 * MS, 100);

    assertThat(schedule.intendedSendNanos(0)).isEqualTo(1_000 * MS);
    assertThat(schedule.intendedSendNanos(1)).isEqualTo(1_010 * MS);
    assertThat(schedule.intendedSendNanos(250)).isEqualTo(3_500 * MS);
    assertThat(schedule.requestsWithin(TimeUnit.SECONDS.toNanos(30))).isEqualTo(3_000);
  }

  @Test
  void aStalledServerShowsInEveryRequestQueuedBehindIt() {
    // 100 req/s; the server stalls 1 s on request 0, then answers the queued ones at once.
    OpenModelSchedule schedule = new OpenModelSchedule(0, 100);
    IntendedTimeLatency latency = new IntendedTimeLatency();
    long stallEnds = 1_000 * MS;
    for (int i = 0; i < 100; i++) {
      latency.record(
          schedule.intendedSendNanos(i), Math.max(stallEnds, schedule.intendedSendNanos(i) + MS));
    }

    Histogram histogram = latency.snapshot();

    assertThat(histogram.getTotalCount()).isEqualTo(100);
    // Measured from the actual send time all but one would look like 1 ms; from the intended time
    // half of them waited at least half a second.
    assertThat((double) histogram.getValueAtPercentile(50)).isCloseTo(500d * MS, within(20d * MS));
    assertThat((double) histogram.getMaxValue()).isCloseTo(1_000d * MS, within(5d * MS));
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> new OpenModelSchedule(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestsPerSecond");
  }
}
