package io.larder.loadtest.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Joins the {@code RESULT} lines of the raw-Redis baseline and the gateway, measured in the same
 * run, into one table with their ratios and the targets: at a fixed 100 req/s, gateway p99
 * at most half of Feast's published Java-server p99 for the batch size; at saturation (closed
 * model), gateway entity-rows/s at least 40 % of the baseline's.
 *
 * <p>Usage: {@code BenchTable results-file...}
 */
public final class BenchTable {

  /** Feast 0.9 Java server, published benchmark, p99 ms at 100 req/s by batch size (16 vCPU). */
  static final Map<Integer, Double> FEAST_P99_MS = Map.of(1, 0.8, 10, 2.2, 50, 7.3, 100, 17.0);

  static final double SATURATION_TARGET = 0.40;

  private BenchTable() {}

  public static void main(String[] args) {
    List<Map<String, String>> results = new ArrayList<>();
    for (String file : args) {
      results.addAll(read(Path.of(file)));
    }
    print(results, System.out);
  }

  static List<Map<String, String>> read(Path file) {
    try (var lines = Files.lines(file)) {
      return lines
          .filter(line -> line.startsWith(LoadReport.RESULT_PREFIX))
          .map(LoadReport::parseResultLine)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void print(List<Map<String, String>> results, PrintStream out) {
    List<Map<String, String>> gateway =
        results.stream().filter(r -> "gateway".equals(r.get("target"))).toList();
    List<Map<String, String>> redis =
        results.stream().filter(r -> "redis".equals(r.get("target"))).toList();
    List<Map<String, String>> floor =
        results.stream().filter(r -> "floor".equals(r.get("target"))).toList();

    out.println();
    out.println("Fixed arrival rate (open model; latency from the intended send time)");
    out.printf(
        Locale.ROOT,
        "%-20s %-7s | %-34s | %-42s | %-13s | %-17s | %s%n",
        "shape",
        "req/s",
        "raw Redis: rows/s   p50   p99 ms",
        "gateway: api          rows/s   p50   p99 ms err",
        "p99 gw/redis",
        "gRPC floor p50/p99",
        "p99 target (Feast/2)");
    for (Map<String, String> g : forMode(gateway, "open")) {
      Map<String, String> r = match(redis, g);
      Map<String, String> f = match(floor, g);
      int rows = Integer.parseInt(g.get("rows"));
      Double feast = FEAST_P99_MS.get(rows);
      double p99 = num(g, "p99_ms");
      String target =
          feast == null
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "<= %.2f ms %s",
                  feast / 2,
                  p99 <= feast / 2 && num(g, "errors") == 0 ? "met" : "MISSED");
      out.printf(
          Locale.ROOT,
          "%-20s %-7s | %-34s | %-42s | %-13s | %-17s | %s%n",
          g.get("shape"),
          g.get("load"),
          redisColumns(r),
          gatewayColumns(g),
          r == null ? "-" : String.format(Locale.ROOT, "%.2fx", p99 / num(r, "p99_ms")),
          f == null
              ? "-"
              : String.format(Locale.ROOT, "%.3f / %.3f", num(f, "p50_ms"), num(f, "p99_ms")),
          target);
    }

    out.println();
    out.println("Saturation (closed model; fixed number of calls in flight)");
    out.printf(
        Locale.ROOT,
        "%-20s %-9s | %-34s | %-42s | %-13s | %s%n",
        "shape",
        "in flight",
        "raw Redis: rows/s   p50   p99 ms",
        "gateway: api          rows/s   p50   p99 ms err",
        "rows/s gw/redis",
        "target");
    for (Map<String, String> g : forMode(gateway, "closed")) {
      Map<String, String> r = match(redis, g);
      double ratio = r == null ? Double.NaN : num(g, "rows_s") / num(r, "rows_s");
      out.printf(
          Locale.ROOT,
          "%-20s %-9d | %-34s | %-42s | %-15s | %s%n",
          g.get("shape"),
          (long) num(g, "load"),
          redisColumns(r),
          gatewayColumns(g),
          Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.1f %%", ratio * 100),
          Double.isNaN(ratio)
              ? "-"
              : String.format(
                  Locale.ROOT,
                  ">= %.0f %% %s",
                  SATURATION_TARGET * 100,
                  ratio >= SATURATION_TARGET ? "met" : "MISSED"));
    }
    double lag =
        results.stream()
            .filter(r -> "open".equals(r.get("mode")))
            .mapToDouble(r -> num(r, "send_lag_p99_ms"))
            .filter(v -> !Double.isNaN(v))
            .max()
            .orElse(Double.NaN);
    if (!Double.isNaN(lag)) {
      out.println();
      out.printf(
          Locale.ROOT,
          "Driver send lag p99 (worst open-model run): %.3f ms. When it is not well below the p99s"
              + " above, the load generator itself was short of CPU and those p99s are upper"
              + " bounds.%n",
          lag);
    }
    results.stream()
        .filter(r -> num(r, "present") < 1)
        .forEach(
            r ->
                out.printf(
                    Locale.ROOT,
                    "WARNING: %s %s %s answered with only %s of the checked values PRESENT.%n",
                    r.get("target"),
                    r.get("mode"),
                    r.get("shape"),
                    r.get("present")));
    List<Map<String, String>> unmatched =
        redis.stream().filter(r -> gateway.stream().noneMatch(g -> sameRun(g, r))).toList();
    if (!unmatched.isEmpty()) {
      out.println();
      out.println("Baseline runs without a gateway run:");
      unmatched.forEach(
          r ->
              out.printf(
                  Locale.ROOT,
                  "  %s %s %s: %.0f req/s, %.0f rows/s, p50 %.3f ms, p99 %.3f ms%n",
                  r.get("shape"),
                  r.get("mode"),
                  r.get("load"),
                  num(r, "req_s"),
                  num(r, "rows_s"),
                  num(r, "p50_ms"),
                  num(r, "p99_ms")));
    }
  }

  private static List<Map<String, String>> forMode(List<Map<String, String>> runs, String mode) {
    return runs.stream().filter(r -> mode.equals(r.get("mode"))).toList();
  }

  private static Map<String, String> match(List<Map<String, String>> redis, Map<String, String> g) {
    return redis.stream().filter(r -> sameRun(g, r)).reduce((a, b) -> b).orElse(null);
  }

  /** Same request shape under the same load model and level. */
  static boolean sameRun(Map<String, String> a, Map<String, String> b) {
    return Objects.equals(a.get("mode"), b.get("mode"))
        && Objects.equals(a.get("shape"), b.get("shape"))
        && num(a, "load") == num(b, "load");
  }

  /** Raw Redis's rows/s, p50 and p99 of one shape. */
  private static String redisColumns(Map<String, String> r) {
    return r == null
        ? "(no baseline)"
        : String.format(
            Locale.ROOT,
            "%10.0f %7.3f %7.3f",
            num(r, "rows_s"),
            num(r, "p50_ms"),
            num(r, "p99_ms"));
  }

  /** The gateway's api, rows/s, p50, p99 and errors of one shape. */
  private static String gatewayColumns(Map<String, String> g) {
    return String.format(
        Locale.ROOT,
        "%-12s %10.0f %7.3f %7.3f %s",
        g.get("api"),
        num(g, "rows_s"),
        num(g, "p50_ms"),
        num(g, "p99_ms"),
        g.get("errors"));
  }

  private static double num(Map<String, String> result, String key) {
    String value = result.get(key);
    return value == null ? Double.NaN : Double.parseDouble(value);
  }
}
