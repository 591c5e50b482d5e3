package io.larder.loadtest.cpu;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU time named processes (the gateway, Redis) spend during a run's measured window: their
 * counters are read when the window opens and when it closes, on a thread of its own, so the
 * warm-up before the window and the drain after it are not in the figure.
 */
public final class CpuWindow {

  private final Map<String, Long> pids;
  private final long clockTicksPerSecond;
  private final Thread sampler;
  private final Map<String, Long> before = new LinkedHashMap<>();
  private final Map<String, Long> after = new LinkedHashMap<>();

  private CpuWindow(
      Map<String, Long> pids, long clockTicksPerSecond, long fromNanos, long untilNanos) {
    this.pids = Map.copyOf(pids);
    this.clockTicksPerSecond = clockTicksPerSecond;
    this.sampler =
        new Thread(
            () -> {
              sleepUntil(fromNanos);
              sample(before);
              sleepUntil(untilNanos);
              sample(after);
            },
            "cpu-window");
    sampler.setDaemon(true);
  }

  /**
   * Starts sampling {@code pids} (name to process id) at {@code fromNanos} and {@code untilNanos}
   * ({@link System#nanoTime()}); with no pids, nothing is sampled.
   */
  public static CpuWindow start(
      Map<String, Long> pids, long clockTicksPerSecond, long fromNanos, long untilNanos) {
    CpuWindow window = new CpuWindow(pids, clockTicksPerSecond, fromNanos, untilNanos);
    if (!pids.isEmpty()) {
      window.sampler.start();
    }
    return window;
  }

  /**
   * CPU seconds of each process within the window (NaN for one that could not be read); waits for
   * the window to close.
   */
  public Map<String, Double> cpuSeconds() throws InterruptedException {
    if (pids.isEmpty()) {
      return Map.of();
    }
    sampler.join();
    Map<String, Double> seconds = new LinkedHashMap<>();
    pids.keySet().stream()
        .sorted()
        .forEach(name -> seconds.put(name, seconds(before.get(name), after.get(name))));
    return seconds;
  }

  double seconds(Long from, Long until) {
    return from == null || until == null
        ? Double.NaN
        : (until - from) / (double) clockTicksPerSecond;
  }

  private void sample(Map<String, Long> into) {
    pids.forEach(
        (name, pid) -> {
          OptionalLong ticks = ProcessCpu.ticks(pid);
          if (ticks.isPresent()) {
            into.put(name, ticks.getAsLong());
          }
        });
  }

  private static void sleepUntil(long nanos) {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
    }
  }
}
