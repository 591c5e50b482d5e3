package io.larder.loadtest.report;

import io.larder.loadtest.driver.Tally;
import io.larder.loadtest.shape.BenchmarkShape;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * One measured run: who was measured, under which load, and what came out. Printed for people and
 * as one {@code RESULT key=value ...} line that {@link BenchTable} joins across runs.
 *
 * @param target {@code redis} (raw baseline) or {@code gateway}
 * @param api how it was called: {@code hmget}, {@code grpc}, {@code grpc_stream}
 * @param mode {@code open} (fixed rate) or {@code closed} (fixed concurrency)
 * @param load requests per second offered (open) or calls in flight (closed)
 * @param cpuSeconds CPU seconds each watched process (gateway, redis, ...) spent in the measured
 *     window, by name; empty when none was watched
 */
public record LoadReport(
    String target,
    String api,
    String mode,
    int rows,
    int features,
    double load,
    double seconds,
    long ok,
    Map<String, Long> errors,
    double p50Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    long rowsAnswered,
    long valuesPresent,
    long valuesChecked,
    double sendLagP99Ms,
    Map<String, Double> cpuSeconds) {

  public static final String RESULT_PREFIX = "RESULT ";

  /** Prefix of the RESULT fields holding CPU seconds in the window: cpu_gateway, cpu_redis. */
  public static final String CPU_PREFIX = "cpu_";

  public static LoadReport of(
      String target, String api, String mode, int rows, int features, double load, Tally tally) {
    return of(target, api, mode, rows, features, load, tally, Map.of());
  }

  public static LoadReport of(
      String target,
      String api,
      String mode,
      int rows,
      int features,
      double load,
      Tally tally,
      Map<String, Double> cpuSeconds) {
    Histogram latency = tally.latency();
    return new LoadReport(
        target,
        api,
        mode,
        rows,
        features,
        load,
        tally.measured().toNanos() / 1e9,
        tally.ok(),
        tally.errors(),
        millis(latency.getValueAtPercentile(50)),
        millis(latency.getValueAtPercentile(99)),
        millis(latency.getValueAtPercentile(99.9)),
        millis(latency.getMaxValue()),
        tally.rows(),
        tally.valuesPresent(),
        tally.valuesChecked(),
        millis(tally.sendLag().getValueAtPercentile(99)),
        Map.copyOf(cpuSeconds));
  }

  public String shape() {
    return BenchmarkShape.requestShapeName(rows, features);
  }

  public double requestsPerSecond() {
    return ok / seconds;
  }

  /** Entity rows answered per second (successful calls only). */
  public double rowsPerSecond() {
    return rowsAnswered / seconds;
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Share of checked feature values that were present; NaN when none were checked. */
  public double presentRatio() {
    return valuesChecked == 0 ? Double.NaN : (double) valuesPresent / valuesChecked;
  }

  public String resultLine() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("target", target);
    fields.put("api", api);
    fields.put("mode", mode);
    fields.put("shape", shape());
    fields.put("rows", Integer.toString(rows));
    fields.put("features", Integer.toString(features));
    fields.put("load", format(load));
    fields.put("seconds", format(seconds));
    fields.put("ok", Long.toString(ok));
    fields.put("errors", Long.toString(errorCount()));
    fields.put("req_s", format(requestsPerSecond()));
    fields.put("rows_s", format(rowsPerSecond()));
    fields.put("p50_ms", format(p50Ms));
    fields.put("p99_ms", format(p99Ms));
    fields.put("p999_ms", format(p999Ms));
    fields.put("max_ms", format(maxMs));
    fields.put("present", format(presentRatio()));
    fields.put("send_lag_p99_ms", format(sendLagP99Ms));
    fields.put("rows_total", Long.toString(rowsAnswered));
    cpuSeconds.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> fields.put(CPU_PREFIX + e.getKey(), format(e.getValue())));
    fields.put("error_detail", errorDetail());
    return RESULT_PREFIX
        + fields.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
  }

  /** Appends the RESULT line to a results file, the input of {@link BenchTable}. */
  public void appendTo(java.nio.file.Path results) {
    try {
      java.nio.file.Files.writeString(
          results,
          resultLine() + System.lineSeparator(),
          java.nio.charset.StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String humanText() {
    String loadText =
        mode.equals("open")
            ? "%s req/s offered".formatted(format(load))
            : "%d in flight".formatted((long) load);
    return String.format(
        Locale.ROOT,
        "%s %s %s %s, %s, %.1f s: %d ok, %d errors%s%n"
            + "  %.1f req/s, %.1f rows/s; latency ms p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f;"
            + " present %s; driver send lag p99 %.3f ms%s",
        target,
        api,
        shape(),
        mode,
        loadText,
        seconds,
        ok,
        errorCount(),
        errors.isEmpty() ? "" : " (" + errorDetail() + ")",
        requestsPerSecond(),
        rowsPerSecond(),
        p50Ms,
        p99Ms,
        p999Ms,
        maxMs,
        Double.isNaN(presentRatio()) ? "n/a" : format(presentRatio()),
        sendLagP99Ms,
        cpuText());
  }

  /** CPU seconds per 10,000 entity rows answered of each watched process; NaN without rows. */
  public static double cpuPer10kRows(double cpuSeconds, long rows) {
    return rows == 0 ? Double.NaN : cpuSeconds * 10_000 / rows;
  }

  private String cpuText() {
    if (cpuSeconds.isEmpty()) {
      return "";
    }
    return "; CPU in window (s, s per 10k rows): "
        + cpuSeconds.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(
                e ->
                    String.format(
                        Locale.ROOT,
                        "%s %.3f / %.4f",
                        e.getKey(),
                        e.getValue(),
                        cpuPer10kRows(e.getValue(), rowsAnswered)))
            .collect(Collectors.joining(", "));
  }

  private String errorDetail() {
    if (errors.isEmpty()) {
      return "-";
    }
    return errors.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** The fields of a {@link #resultLine()}, in order. */
  public static Map<String, String> parseResultLine(String line) {
    if (!line.startsWith(RESULT_PREFIX)) {
      throw new IllegalArgumentException("not a result line: " + line);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : line.substring(RESULT_PREFIX.length()).trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        fields.put(token.substring(0, eq), token.substring(eq + 1));
      }
    }
    return fields;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.1f" : "%.3f", value);
  }
}
