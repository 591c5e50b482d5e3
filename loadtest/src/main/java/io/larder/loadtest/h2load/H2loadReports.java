package io.larder.loadtest.h2load;

import io.larder.loadtest.report.LoadReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/** An h2load run as a {@link LoadReport} (target {@code h2load}), so BenchTable can join it. */
final class H2loadReports {

  static final String TARGET = "h2load";

  private H2loadReports() {}

  /**
   * @param load calls in flight (connections x streams)
   * @param log h2load's per-request log: start (µs since the epoch), status, duration (µs)
   */
  static LoadReport report(
      H2loadApi api,
      int rows,
      int features,
      int load,
      H2loadOutput output,
      AnswerCheck.Expected expected,
      Path log,
      Map<String, Double> cpuSeconds)
      throws IOException {
    Map<String, Long> errors = new LinkedHashMap<>();
    long ok = Math.min(output.succeeded(), output.status2xx());
    put(errors, "NOT_2XX", output.done() - output.status2xx());
    put(errors, "FAILED", output.failed());
    put(errors, "ERRORED", output.errored());
    put(errors, "TIMEOUT", output.timedOut());
    // Every call asks for the same entities, so every answer has the checked call's size; an
    // error answer (gRPC's in trailers, with HTTP 200) is shorter. Calls cut off at the end of
    // the run are not in the count but may be in the bytes.
    long expectedBytes = expected.bytes() * ok;
    if (output.dataBytes() < expectedBytes
        || output.dataBytes() > expectedBytes + expected.bytes() * load) {
      put(errors, "WRONG_SIZE", Math.max(1, ok));
    }
    Histogram latency = latencyMicros(log);
    return new LoadReport(
        TARGET,
        api.name(),
        "closed",
        rows,
        features,
        load,
        output.seconds(),
        ok,
        errors,
        percentileMs(latency, 50),
        percentileMs(latency, 99),
        percentileMs(latency, 99.9),
        latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0,
        ok * rows,
        Math.min(expected.present(), (long) rows * features),
        (long) rows * features,
        Double.NaN,
        cpuSeconds);
  }

  private static void put(Map<String, Long> errors, String name, long count) {
    if (count > 0) {
      errors.put(name, count);
    }
  }

  /** Durations of the 2xx calls in h2load's log. */
  static Histogram latencyMicros(Path log) throws IOException {
    Histogram histogram = new Histogram(3);
    if (log == null || !Files.exists(log)) {
      return histogram;
    }
    try (Stream<String> lines = Files.lines(log)) {
      lines.forEach(
          line -> {
            String[] columns = line.split("\t");
            if (columns.length >= 3 && columns[1].startsWith("2")) {
              histogram.recordValue(Long.parseLong(columns[2].trim()));
            }
          });
    }
    return histogram;
  }

  private static double percentileMs(Histogram micros, double percentile) {
    return micros.getTotalCount() == 0
        ? Double.NaN
        : micros.getValueAtPercentile(percentile) / 1000.0;
  }
}
