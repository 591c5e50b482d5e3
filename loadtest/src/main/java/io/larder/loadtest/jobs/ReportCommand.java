package io.larder.loadtest.jobs;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Renders the RESULT lines of one run as the summary tables, next to the targets. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Prints the summary tables of a results file.")
final class ReportCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "The results file (RESULT lines).")
  Path results;

  @Option(
      names = "--target-p99",
      defaultValue = "2000",
      description = "Freshness target: p99 produce → served, ms (default: ${DEFAULT-VALUE}).")
  double targetP99Ms;

  @Override
  public Integer call() throws Exception {
    List<Map<String, String>> lines = new ArrayList<>();
    for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
      Map<String, String> fields = ResultLine.parse(line);
      if (!fields.isEmpty()) {
        lines.add(fields);
      }
    }
    render(lines, targetP99Ms, System.out);
    return 0;
  }

  static void render(List<Map<String, String>> lines, double targetP99Ms, PrintStream out) {
    List<Map<String, String>> batch = of(lines, "batch_launch");
    List<Map<String, String>> stream = of(lines, "stream_freshness");
    if (!batch.isEmpty()) {
      out.printf(
          Locale.ROOT,
          "%n1. Launch overhead of a small batch job (%s CSV rows, %d requests one after another;"
              + " times from the job's status history)%n",
          batch.get(0).get("rows"),
          batch.size());
      String row = "%-7s %-43s %-7s %15s %13s %10s %10s%n";
      out.printf(
          Locale.ROOT,
          row,
          "run",
          "job",
          "status",
          "req → RUNNING",
          "req → DONE",
          "job's own",
          "overhead");
      for (Map<String, String> run : batch) {
        out.printf(
            Locale.ROOT,
            row,
            run.get("run"),
            run.get("job"),
            run.get("status"),
            seconds(run.get("to_running_s")),
            seconds(run.get("to_done_s")),
            seconds(run.get("job_s")),
            seconds(run.get("overhead_s")));
      }
      out.printf(
          Locale.ROOT,
          row,
          "median",
          "",
          "",
          seconds(median(batch, "to_running_s")),
          seconds(median(batch, "to_done_s")),
          seconds(median(batch, "job_s")),
          seconds(median(batch, "overhead_s")));
      out.println(
          "  overhead = request → DONE − the job's own progress.seconds (JVM + Spark start-up,"
              + " dispatch, recording the end)");
    }
    if (!stream.isEmpty()) {
      Map<String, String> first = stream.get(0);
      out.printf(
          Locale.ROOT,
          "%n2. Stream freshness: produce → served by the gateway (GetOnlineFeaturesV2, polled every"
              + " %s ms), %s events at %s/s, one key each%n",
          first.get("poll_ms"),
          first.get("events"),
          first.get("rate"));
      String row = "%-14s %9s %9s %9s %9s %14s %11s %22s%n";
      out.printf(
          Locale.ROOT,
          row,
          "trigger",
          "p50",
          "p90",
          "p99",
          "max",
          "never served",
          "errors",
          String.format(Locale.ROOT, "target p99 ≤ %.0f ms", targetP99Ms));
      for (Map<String, String> run : stream) {
        double p99 = number(run.get("p99_ms"));
        boolean allServed = "0".equals(run.get("never_served"));
        out.printf(
            Locale.ROOT,
            row,
            run.get("trigger"),
            millis(run.get("p50_ms")),
            millis(run.get("p90_ms")),
            millis(run.get("p99_ms")),
            millis(run.get("max_ms")),
            run.get("never_served") + "/" + run.get("produced"),
            run.get("lookup_errors"),
            p99 <= targetP99Ms && allServed ? "met" : "missed");
      }
      out.println(
          "  never served = not served within served_timeout_s of the send; sent at"
              + " produced_rate/s (send lag and Kafka ack p99 in results.txt)");
      out.printf(
          Locale.ROOT,
          "%nStream job start-up, seconds after the table was applied%n%-14s %12s %12s %15s %13s%n",
          "trigger",
          "job created",
          "RUNNING",
          "query running",
          "first served");
      for (Map<String, String> run : stream) {
        out.printf(
            Locale.ROOT,
            "%-14s %12s %12s %15s %13s%n",
            run.get("trigger"),
            seconds(run.get("job_created_s")),
            seconds(run.get("job_running_s")),
            seconds(run.get("query_running_s")),
            seconds(run.get("first_served_s")));
      }
      out.printf(
          Locale.ROOT,
          "%n3. Memory per running stream job (its process, after the freshness run)%n"
              + "%-14s %10s %14s %8s %9s%n",
          "trigger",
          "RSS",
          "peak (VmHWM)",
          "-Xmx",
          "attempts");
      for (Map<String, String> run : stream) {
        out.printf(
            Locale.ROOT,
            "%-14s %10s %14s %8s %9s%n",
            run.get("trigger"),
            run.get("rss_mb") + " MB",
            run.get("peak_rss_mb") + " MB",
            run.get("xmx"),
            run.get("attempts"));
      }
    }
  }

  private static List<Map<String, String>> of(List<Map<String, String>> lines, String bench) {
    return lines.stream().filter(line -> bench.equals(line.get("bench"))).toList();
  }

  static String median(List<Map<String, String>> runs, String key) {
    double[] values =
        runs.stream()
            .mapToDouble(run -> number(run.get(key)))
            .filter(v -> !Double.isNaN(v))
            .sorted()
            .toArray();
    if (values.length == 0) {
      return "NaN";
    }
    int mid = values.length / 2;
    double median = values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    return Double.toString(median);
  }

  private static double number(String text) {
    try {
      return text == null ? Double.NaN : Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String seconds(String text) {
    double value = number(text);
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f s", value);
  }

  private static String millis(String text) {
    double value = number(text);
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f ms", value);
  }
}
