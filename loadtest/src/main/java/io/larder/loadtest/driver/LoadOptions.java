package io.larder.loadtest.driver;

import io.larder.loadtest.cpu.CpuWindow;
import io.larder.loadtest.report.LoadReport;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import io.larder.sdk.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** Command-line options of a load run, shared by the raw-Redis baseline and the gateway driver. */
public final class LoadOptions {

  /** Open: fixed arrival rate. Closed: fixed number of calls in flight (saturation). */
  public enum Mode {
    open,
    closed
  }

  private static final int BURST_CONCURRENCY = 8;

  @Option(
      names = "--rows",
      split = ",",
      defaultValue = "1,10,50,100",
      description =
          "Entity rows per request; a list runs each in turn (default: ${DEFAULT-VALUE}).")
  List<Integer> rows;

  @Option(
      names = "--features",
      defaultValue = "0",
      description = "Features per request, the first N table-major; 0 = all (default).")
  int features;

  @Option(
      names = "--mode",
      defaultValue = "open",
      description =
          "open (fixed --rate) or closed (--concurrency in flight) (default: ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(
      names = "--rate",
      defaultValue = "100",
      description = "Requests per second in the open model (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--concurrency",
      defaultValue = "32",
      description = "Calls in flight in the closed model (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--warmup",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "Uncounted load before each measurement (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--duration",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "Measured time per request shape (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--burst",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "Open model: an uncounted closed-loop burst before the warm-up, so code on both sides is"
              + " JIT-compiled before a low fixed rate is measured (default: ${DEFAULT-VALUE}; 0 ="
              + " none).")
  Duration burst;

  @Option(
      names = "--deadline",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Deadline of every call (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  @Option(
      names = "--max-in-flight",
      defaultValue = "10000",
      description =
          "Open model: calls beyond this many in flight are counted as CLIENT_BACKLOG errors"
              + " (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--cpu-pid",
      description =
          "name=pid of a process whose CPU time (utime+stime from /proc/<pid>/stat) is counted over"
              + " each measured window, e.g. gateway=1234 redis=987; repeatable. With any, the"
              + " driver's own CPU is counted too (driver).")
  Map<String, Long> cpuPids = Map.of();

  @Option(
      names = "--clk-tck",
      defaultValue = "100",
      description =
          "Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK; default: ${DEFAULT-VALUE}).")
  long clockTicksPerSecond;

  @Option(
      names = "--results",
      description = "Also append the RESULT lines to this file (for BenchTable).")
  Path results;

  public List<Integer> rows() {
    return rows;
  }

  public int features(BenchmarkShape shape) {
    return features <= 0 ? shape.totalFeatures() : features;
  }

  public Mode mode() {
    return mode;
  }

  public double rate() {
    return rate;
  }

  public int concurrency() {
    return concurrency;
  }

  public Duration warmup() {
    return warmup;
  }

  public Duration duration() {
    return duration;
  }

  public Duration deadline() {
    return deadline;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public Map<String, Long> cpuPids() {
    return cpuPids;
  }

  /**
   * Runs every requested shape in turn, printing each report as it completes.
   *
   * @param callsFor the call that sends one request of the given shape
   */
  public List<LoadReport> runEach(
      BenchmarkShape shape,
      String target,
      String api,
      Function<OnlineRequests, LoadRunner.Call> callsFor,
      LoadRunner.ErrorClassifier classifier) {
    List<LoadReport> reports = new ArrayList<>();
    int featureCount = features(shape);
    for (int rowCount : rows) {
      OnlineRequests requests = new OnlineRequests(shape, rowCount, featureCount);
      LoadRunner.Call call = callsFor.apply(requests);
      Duration drain = deadline.plusSeconds(2);
      if (mode == Mode.open && !burst.isZero()) {
        LoadRunner.closed(call, BURST_CONCURRENCY, Duration.ZERO, burst, drain, classifier);
      }
      // The open model's schedule starts 10 ms after it is called (LoadRunner.open).
      long start = System.nanoTime() + (mode == Mode.open ? TimeUnit.MILLISECONDS.toNanos(10) : 0);
      CpuWindow cpu =
          CpuWindow.start(
              watchedPids(),
              clockTicksPerSecond,
              start + warmup.toNanos(),
              start + warmup.toNanos() + duration.toNanos());
      Tally tally =
          mode == Mode.open
              ? LoadRunner.open(call, rate, warmup, duration, maxInFlight, drain, classifier)
              : LoadRunner.closed(call, concurrency, warmup, duration, drain, classifier);
      LoadReport report =
          LoadReport.of(
              target,
              api,
              mode.name(),
              rowCount,
              featureCount,
              mode == Mode.open ? rate : concurrency,
              tally,
              cpuSecondsOf(cpu));
      System.out.println(report.humanText());
      System.out.println(report.resultLine());
      appendResult(report);
      reports.add(report);
    }
    return reports;
  }

  /** The --cpu-pid processes and, beside them, this driver: it shares the cores with them. */
  private Map<String, Long> watchedPids() {
    if (cpuPids.isEmpty()) {
      return cpuPids;
    }
    Map<String, Long> pids = new HashMap<>(cpuPids);
    pids.putIfAbsent("driver", ProcessHandle.current().pid());
    return pids;
  }

  private static Map<String, Double> cpuSecondsOf(CpuWindow cpu) {
    try {
      return cpu.cpuSeconds();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    }
  }

  private void appendResult(LoadReport report) {
    if (results != null) {
      report.appendTo(results);
    }
  }
}
