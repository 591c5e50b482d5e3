package io.larder.loadtest.report;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Joins the {@code RESULT} lines of the raw-Redis baseline and the gateway, measured in the same
 * run, into tables with their ratios and targets. Issue 13's targets ("serve every legal request,
 * half the CPU per row"), each met or missed: gateway CPU per entity row at saturation at most half
 * of the gateway before the change (a second gateway from an older jar, target {@code before});
 * saturation rows/s at least 85 % of raw Redis's; at the fixed rate, p99 of 100 rows at most twice
 * p99 of 10 rows; one 10,000-row request answered; HTTP JSON at least 70 % of gRPC's rows/s at
 * saturation. At a fixed 100 req/s the older target stays beside each shape: p99 at most half of
 * Feast's published Java-server p99.
 *
 * <p>Usage: {@code BenchTable results-file...}
 */
public final class BenchTable {

  /** Feast 0.9 Java server, published benchmark, p99 ms at 100 req/s by batch size (16 vCPU). */
  static final Map<Integer, Double> FEAST_P99_MS = Map.of(1, 0.8, 10, 2.2, 50, 7.3, 100, 17.0);

  static final double SATURATION_TARGET = 0.85;

  /** Gateway CPU per row now, against the gateway before the change: at most half. */
  static final double CPU_PER_ROW_TARGET = 0.5;

  /** At the fixed rate, p99 of a 100-row request against a 10-row one. */
  static final double P99_100_OVER_10_TARGET = 2.0;

  /** HTTP JSON entity rows/s at saturation against gRPC's, same shape and load. */
  static final double HTTP_JSON_TARGET = 0.70;

  /** The target name of the gateway built before the change (BENCH_BASELINE_GATEWAY_JAR). */
  static final String BEFORE = "before";

  /** The gateway driven by h2load (one repeated request body), and its raw-Redis counterpart. */
  static final String H2LOAD = "h2load";

  static final String REDIS_SAME = "redis_same";

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
    for (Map<String, String> g : saturation(gateway)) {
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
    printH2load(results, out);
    printCpu(results, out);
    printOneAtATime(gateway, redis, out);
    printTargets(results, out);
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

  private static void printH2load(List<Map<String, String>> results, PrintStream out) {
    List<Map<String, String>> runs = saturation(ofTarget(results, H2LOAD));
    if (runs.isEmpty()) {
      return;
    }
    List<Map<String, String>> same = ofTarget(results, REDIS_SAME);
    out.println();
    out.println(
        "Saturation, h2load (nghttp2's C load tool, ~0.03 CPU-s per 10k rows; one request body, so"
            + " every call reads the same entities; raw Redis reads those same entities)");
    out.printf(
        Locale.ROOT,
        "%-20s %-9s | %-34s | %-42s | %s%n",
        "shape",
        "in flight",
        "raw Redis: rows/s   p50   p99 ms",
        "gateway: api          rows/s   p50   p99 ms err",
        "rows/s gw/redis");
    for (Map<String, String> h : runs) {
      Map<String, String> r = match(same, h);
      out.printf(
          Locale.ROOT,
          "%-20s %-9d | %-34s | %-42s | %s%n",
          h.get("shape"),
          (long) num(h, "load"),
          redisColumns(r),
          gatewayColumns(h),
          r == null
              ? "-"
              : String.format(Locale.ROOT, "%.1f %%", num(h, "rows_s") / num(r, "rows_s") * 100));
    }
  }

  /** Closed-model runs with more than one call in flight. */
  private static List<Map<String, String>> saturation(List<Map<String, String>> runs) {
    return forMode(runs, "closed").stream().filter(r -> num(r, "load") > 1).toList();
  }

  /** Closed-model runs with one call in flight: a request's latency on an otherwise idle target. */
  private static List<Map<String, String>> oneAtATime(List<Map<String, String>> runs) {
    return forMode(runs, "closed").stream().filter(r -> num(r, "load") == 1).toList();
  }

  private static List<Map<String, String>> ofTarget(
      List<Map<String, String>> results, String target) {
    return results.stream().filter(r -> target.equals(r.get("target"))).toList();
  }

  private static void printCpu(List<Map<String, String>> results, PrintStream out) {
    List<Map<String, String>> measured =
        saturation(results).stream().filter(r -> !cpuNames(r).isEmpty()).toList();
    if (measured.isEmpty()) {
      return;
    }
    out.println();
    out.println(
        "CPU at saturation (the processes' utime+stime over the measured window, warm-up and"
            + " drain excluded)");
    out.printf(
        Locale.ROOT,
        "%-20s %-9s %-8s %-12s | %10s | %-44s%n",
        "shape",
        "in flight",
        "target",
        "api",
        "rows/s",
        "CPU-s per 10k rows (CPU-s in window): process");
    for (Map<String, String> r : measured) {
      out.printf(
          Locale.ROOT,
          "%-20s %-9d %-8s %-12s | %10.0f | %s%n",
          r.get("shape"),
          (long) num(r, "load"),
          r.get("target"),
          r.get("api"),
          num(r, "rows_s"),
          cpuNames(r).stream()
              .map(
                  name ->
                      String.format(
                          Locale.ROOT,
                          "%s %.4f (%.2f)",
                          name,
                          cpuPer10kRows(r, name),
                          num(r, LoadReport.CPU_PREFIX + name)))
              .collect(Collectors.joining(", ")));
    }
  }

  private static void printOneAtATime(
      List<Map<String, String>> gateway, List<Map<String, String>> redis, PrintStream out) {
    List<Map<String, String>> runs = oneAtATime(gateway);
    if (runs.isEmpty()) {
      return;
    }
    out.println();
    out.println("One request at a time (closed model, 1 in flight)");
    out.printf(
        Locale.ROOT,
        "%-22s | %-34s | %-42s | %s%n",
        "shape",
        "raw Redis: rows/s   p50   p99 ms",
        "gateway: api          rows/s   p50   p99 ms err",
        "p50 gw/redis");
    for (Map<String, String> g : runs) {
      Map<String, String> r = match(redis, g);
      out.printf(
          Locale.ROOT,
          "%-22s | %-34s | %-42s | %s%n",
          g.get("shape"),
          redisColumns(r),
          gatewayColumns(g),
          r == null || num(g, "ok") == 0 || num(r, "ok") == 0
              ? "-"
              : String.format(Locale.ROOT, "%.2fx", num(g, "p50_ms") / num(r, "p50_ms")));
    }
  }

  /** Issue 13's targets, each from runs of this results file. */
  static void printTargets(List<Map<String, String>> results, PrintStream out) {
    List<Map<String, String>> gateway = ofTarget(results, "gateway");
    List<Map<String, String>> redis = ofTarget(results, "redis");
    List<Map<String, String>> before = ofTarget(results, BEFORE);
    List<String[]> rows = new ArrayList<>();

    Map<String, String> grpc =
        saturation(gateway).stream()
            .filter(g -> g.get("api").startsWith("grpc"))
            .findFirst()
            .orElse(null);
    if (grpc == null) {
      rows.add(row("gateway gRPC at saturation", "not measured", "-", "-"));
    } else {
      String shape = grpc.get("shape") + " " + grpc.get("api") + " x" + (long) num(grpc, "load");
      double gatewayCpu = cpuPer10kRows(grpc, "gateway");
      rows.add(
          row(
              "gateway CPU-s / 10k rows, saturation (" + shape + ")",
              Double.isNaN(gatewayCpu)
                  ? "not measured (no --cpu-pid gateway=...)"
                  : String.format(
                      Locale.ROOT, "%.4f (Redis %.4f)", gatewayCpu, cpuPer10kRows(grpc, "redis")),
              "-",
              "-"));
      Map<String, String> old =
          before.stream()
              .filter(b -> sameRun(b, grpc) && grpc.get("api").equals(b.get("api")))
              .reduce((a, b) -> b)
              .orElse(null);
      if (old == null) {
        rows.add(
            row(
                "gateway CPU per row, now / before",
                "not measured (set BENCH_BASELINE_GATEWAY_JAR)",
                String.format(Locale.ROOT, "<= %.2f", CPU_PER_ROW_TARGET),
                "-"));
      } else {
        double ratio = gatewayCpu / cpuPer10kRows(old, "gateway");
        rows.add(
            row(
                "gateway CPU per row, now / before",
                String.format(
                    Locale.ROOT,
                    "%.2fx (%.4f vs %.4f CPU-s per 10k rows)",
                    ratio,
                    gatewayCpu,
                    cpuPer10kRows(old, "gateway")),
                String.format(Locale.ROOT, "<= %.2f", CPU_PER_ROW_TARGET),
                verdict(ratio <= CPU_PER_ROW_TARGET, grpc, old)));
        rows.add(
            row(
                "gateway rows/s at saturation, now / before",
                String.format(
                    Locale.ROOT,
                    "%.2fx (%.0f vs %.0f rows/s; errors %s vs %s)",
                    num(grpc, "rows_s") / num(old, "rows_s"),
                    num(grpc, "rows_s"),
                    num(old, "rows_s"),
                    grpc.get("errors"),
                    old.get("errors")),
                "-",
                "-"));
      }
      throughputRows(rows, "", grpc, match(redis, grpc), saturation(gateway), "saturation, h2c");
    }

    h2loadTargets(results, rows);

    String fixedApi =
        forMode(gateway, "open").stream().map(g -> g.get("api")).findFirst().orElse(null);
    Map<String, String> p10 = fixedRate(gateway, fixedApi, 10);
    Map<String, String> p100 = fixedRate(gateway, fixedApi, 100);
    if (p10 != null && p100 != null) {
      double ratio = num(p100, "p99_ms") / num(p10, "p99_ms");
      rows.add(
          row(
              "fixed rate " + p100.get("load") + " req/s: p99 of 100 rows / of 10 rows",
              String.format(
                  Locale.ROOT,
                  "%.2fx (%.3f vs %.3f ms)",
                  ratio,
                  num(p100, "p99_ms"),
                  num(p10, "p99_ms")),
              String.format(Locale.ROOT, "<= %.1f", P99_100_OVER_10_TARGET),
              verdict(ratio <= P99_100_OVER_10_TARGET, p10, p100)));
    } else {
      rows.add(row("fixed rate: p99 of 100 rows / of 10 rows", "not measured", "-", "-"));
    }

    for (Map<String, String> large : oneAtATime(gateway)) {
      Map<String, String> raw = match(redis, large);
      String measure =
          "one " + large.get("shape") + " request at a time (" + large.get("api") + ")";
      if (num(large, "ok") == 0 && num(large, "errors") == 0) {
        rows.add(
            row(
                measure,
                "no call ended in the window (lengthen BENCH_LARGE_DURATION)",
                "answered",
                "not measured"));
        continue;
      }
      rows.add(
          row(
              measure,
              String.format(
                  Locale.ROOT,
                  "p50 %.1f / p99 %.1f ms, %s ok, %s errors%s",
                  num(large, "p50_ms"),
                  num(large, "p99_ms"),
                  large.get("ok"),
                  large.get("errors"),
                  raw == null
                      ? ""
                      : String.format(Locale.ROOT, "; raw Redis p50 %.1f ms", num(raw, "p50_ms"))),
              "answered",
              verdict(num(large, "ok") > 0, large)));
    }

    out.println();
    out.println("Issue 13 targets (this run)");
    out.printf(
        Locale.ROOT, "%-66s | %-68s | %-10s | %s%n", "measure", "value", "target", "verdict");
    for (String[] r : rows) {
      out.printf(Locale.ROOT, "%-66s | %-68s | %-10s | %s%n", (Object[]) r);
    }
  }

  /** The saturation and HTTP targets again, with h2load as the load tool. */
  private static void h2loadTargets(List<Map<String, String>> results, List<String[]> rows) {
    List<Map<String, String>> runs = saturation(ofTarget(results, H2LOAD));
    runs.stream()
        .filter(h -> "grpc".equals(h.get("api")))
        .reduce((a, b) -> b)
        .ifPresent(
            grpc ->
                throughputRows(
                    rows,
                    " (h2load)",
                    grpc,
                    match(ofTarget(results, REDIS_SAME), grpc),
                    runs,
                    "h2load"));
  }

  /**
   * The gRPC run's throughput against raw Redis's, and each HTTP run's against gRPC's.
   *
   * @param raw the raw-Redis run of the same shape and load, or null
   * @param runs where the HTTP runs of the same shape and load are found
   */
  private static void throughputRows(
      List<String[]> rows,
      String suffix,
      Map<String, String> grpc,
      Map<String, String> raw,
      List<Map<String, String>> runs,
      String httpLabel) {
    if (raw != null) {
      double ratio = num(grpc, "rows_s") / num(raw, "rows_s");
      rows.add(
          row(
              "saturation rows/s, gateway / raw Redis" + suffix,
              String.format(
                  Locale.ROOT,
                  "%.1f %% (%.0f vs %.0f rows/s)",
                  ratio * 100,
                  num(grpc, "rows_s"),
                  num(raw, "rows_s")),
              String.format(Locale.ROOT, ">= %.0f %%", SATURATION_TARGET * 100),
              verdict(ratio >= SATURATION_TARGET, grpc, raw)));
    }
    for (String httpApi : List.of("http_json", "http_ndjson")) {
      Map<String, String> http =
          runs.stream()
              .filter(h -> httpApi.equals(h.get("api")) && sameRun(h, grpc))
              .reduce((a, b) -> b)
              .orElse(null);
      if (http == null) {
        continue;
      }
      double ratio = num(http, "rows_s") / num(grpc, "rows_s");
      boolean json = httpApi.equals("http_json");
      rows.add(
          row(
              (json ? "HTTP JSON" : "HTTP NDJSON") + " rows/s / gRPC's (" + httpLabel + ")",
              String.format(
                  Locale.ROOT,
                  "%.1f %% (%.0f vs %.0f rows/s)",
                  ratio * 100,
                  num(http, "rows_s"),
                  num(grpc, "rows_s")),
              json ? String.format(Locale.ROOT, ">= %.0f %%", HTTP_JSON_TARGET * 100) : "-",
              json ? verdict(ratio >= HTTP_JSON_TARGET, http, grpc) : "-"));
    }
  }

  private static String[] row(String measure, String value, String target, String verdict) {
    return new String[] {measure, value, target, verdict};
  }

  /** Met when the condition holds and none of the runs it compares had an error. */
  @SafeVarargs
  private static String verdict(boolean holds, Map<String, String>... runs) {
    boolean errors = Arrays.stream(runs).anyMatch(r -> num(r, "errors") > 0);
    return holds && !errors ? "met" : errors ? "MISSED (errors)" : "MISSED";
  }

  private static Map<String, String> fixedRate(
      List<Map<String, String>> gateway, String api, int rows) {
    return forMode(gateway, "open").stream()
        .filter(g -> g.get("api").equals(api) && num(g, "rows") == rows)
        .reduce((a, b) -> b)
        .orElse(null);
  }

  /** Names of the processes whose CPU a run measured (cpu_gateway -> gateway), sorted. */
  private static List<String> cpuNames(Map<String, String> run) {
    return run.keySet().stream()
        .filter(k -> k.startsWith(LoadReport.CPU_PREFIX))
        .map(k -> k.substring(LoadReport.CPU_PREFIX.length()))
        .sorted()
        .toList();
  }

  /** CPU seconds of {@code process} per 10,000 entity rows answered in the run's window. */
  static double cpuPer10kRows(Map<String, String> run, String process) {
    double rows = num(run, "rows_total");
    if (Double.isNaN(rows)) {
      rows = num(run, "rows_s") * num(run, "seconds");
    }
    return LoadReport.cpuPer10kRows(num(run, LoadReport.CPU_PREFIX + process), (long) rows);
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
