package io.larder.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTableTest {

  @TempDir Path dir;

  @Test
  void joinsBaselineAndGatewayRunsOfTheSameShapeAndLoadWithTheirRatios() throws Exception {
    Path redis = dir.resolve("redis.txt");
    Path gateway = dir.resolve("gateway.txt");
    Files.write(
        redis,
        List.of(
            "some log line",
            result("redis", "hmget", "open", 10, "100.0", 1000, 0.2, 0.5, 0),
            result("redis", "hmget", "closed", 10, "32.000", 100000, 2.0, 4.0, 0)));
    Files.write(
        gateway,
        List.of(
            result("gateway", "grpc", "open", 10, "100.0", 1000, 0.5, 1.0, 0),
            result("gateway", "grpc", "open", 100, "100.0", 10000, 5.0, 9.0, 0),
            result("gateway", "grpc", "closed", 10, "32.000", 45000, 5.0, 9.0, 0)));

    String table = print(redis, gateway);

    assertThat(table)
        .contains("rows10_features50")
        // 1.0 ms against Feast's 2.2 ms / 2 = 1.10 ms.
        .contains("2.00x")
        .contains("<= 1.10 ms met")
        // 9 ms against 17 / 2 = 8.5 ms, and no baseline to compare with.
        .contains("(no baseline)")
        .contains("<= 8.50 ms MISSED")
        .contains("45.0 %")
        .contains(">= 85 % MISSED")
        .contains("Driver send lag p99 (worst open-model run): 0.050 ms");
  }

  @Test
  void showsTheCannedServersFloorNextToTheGatewayRunOfTheSameShape() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(
        file,
        List.of(
            result("gateway", "grpc", "open", 1, "100.0", 100, 0.5, 3.0, 0),
            result("floor", "grpc", "open", 1, "100.0", 100, 0.4, 2.5, 0)));

    assertThat(print(file)).contains("0.400 / 2.500").contains("<= 0.40 ms MISSED");
  }

  @Test
  void errorsMissTheLatencyTargetWhateverTheP99() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(file, List.of(result("gateway", "grpc", "open", 1, "100.0", 100, 0.1, 0.2, 3)));

    assertThat(print(file)).contains("<= 0.40 ms MISSED");
  }

  @Test
  void warnsWhenValuesWereMissing() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(
        file,
        List.of(
            result("gateway", "grpc", "open", 1, "100.0", 100, 0.1, 0.2, 0)
                .replace("present=1.000", "present=0.500")));

    assertThat(print(file))
        .contains("WARNING: gateway open rows1_features50 answered with only 0.500");
  }

  @Test
  void issue13TargetsComeFromTheSameRunsCpuHttpAndLargeRequest() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(
        file,
        List.of(
            result("gateway", "grpc", "open", 10, "100.0", 1000, 0.5, 1.0, 0),
            result("gateway", "grpc", "open", 100, "100.0", 10000, 1.0, 2.5, 0),
            result("redis", "hmget", "closed", 10, "32.000", 100000, 2.0, 4.0, 0)
                .replace("error_detail=-", "rows_total=1500000 cpu_redis=6.000 error_detail=-"),
            result("gateway", "grpc", "closed", 10, "32.000", 90000, 5.0, 9.0, 0)
                .replace(
                    "error_detail=-",
                    "rows_total=1350000 cpu_gateway=13.500 cpu_redis=5.400 error_detail=-"),
            result("before", "grpc", "closed", 10, "32.000", 60000, 5.0, 9.0, 0)
                .replace(
                    "error_detail=-",
                    "rows_total=900000 cpu_gateway=18.000 cpu_redis=3.600 error_detail=-"),
            result("gateway", "http_json", "closed", 10, "32.000", 54000, 5.0, 9.0, 0),
            result("gateway", "http_ndjson", "closed", 10, "32.000", 45000, 5.0, 9.0, 0),
            result("redis", "hmget", "closed", 10000, "1.000", 100000, 40.0, 50.0, 0)
                .replace("rows10000_features50", "rows10000_features50"),
            result("gateway", "grpc_stream", "closed", 10000, "1.000", 20000, 400.0, 450.0, 2)));

    String table = print(file);

    assertThat(table)
        .contains("CPU at saturation")
        // 13.5 CPU-s over 1.35M rows = 0.1 per 10k rows; Redis 5.4 / 1.35M = 0.04.
        .contains("gateway 0.1000 (13.50), redis 0.0400 (5.40)")
        .contains("0.1000 (Redis 0.0400)")
        // Before: 18 / 0.9M = 0.2 per 10k rows, so now / before = 0.5.
        .contains("0.50x (0.1000 vs 0.2000 CPU-s per 10k rows)")
        .contains("1.50x (90000 vs 60000 rows/s")
        .contains("90.0 % (90000 vs 100000 rows/s)")
        .contains("60.0 % (54000 vs 90000 rows/s)")
        .contains("50.0 % (45000 vs 90000 rows/s)")
        .contains("2.50x (2.500 vs 1.000 ms)")
        .contains("one rows10000_features50 request at a time (grpc_stream)")
        .contains("One request at a time");
    assertThat(table.lines().filter(l -> l.contains("now / before") && l.contains("<= 0.50")))
        .singleElement()
        .asString()
        .endsWith("met");
    assertThat(table.lines().filter(l -> l.contains("gateway / raw Redis")))
        .singleElement()
        .asString()
        .endsWith("met");
    assertThat(table.lines().filter(l -> l.contains("HTTP JSON rows/s")))
        .singleElement()
        .asString()
        .endsWith("MISSED");
    assertThat(table.lines().filter(l -> l.contains("p99 of 100 rows / of 10 rows")))
        .singleElement()
        .asString()
        .endsWith("MISSED");
    assertThat(table.lines().filter(l -> l.contains("rows10000_features50 request")))
        .singleElement()
        .asString()
        .endsWith("MISSED (errors)");
    // A one-at-a-time run is no saturation run.
    assertThat(table.lines().filter(l -> l.startsWith("rows10000_features50 1 "))).isEmpty();
  }

  @Test
  void withoutTheGatewayFromBeforeTheComparisonSaysHowToGetIt() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(file, List.of(result("gateway", "grpc", "closed", 10, "32.000", 45000, 5, 9, 0)));

    assertThat(print(file))
        .contains("not measured (set BENCH_BASELINE_GATEWAY_JAR)")
        .contains("not measured (no --cpu-pid gateway=...)");
  }

  private static String print(Path... files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<java.util.Map<String, String>> results =
        java.util.Arrays.stream(files).flatMap(f -> BenchTable.read(f).stream()).toList();
    BenchTable.print(results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void judgesTheSaturationAndHttpTargetsAgainFromTheH2loadRuns() throws Exception {
    Path file = dir.resolve("r.txt");
    Files.write(
        file,
        List.of(
            result("redis_same", "hmget", "closed", 10, "32.000", 40000, 7.0, 12.0, 0),
            result("h2load", "grpc", "closed", 10, "32.000", 36000, 8.0, 14.0, 0),
            result("h2load", "http_json", "closed", 10, "32.000", 27000, 11.0, 18.0, 0),
            result("h2load", "http_ndjson", "closed", 10, "32.000", 24000, 12.0, 19.0, 0)));

    assertThat(print(file))
        .contains("Saturation, h2load")
        .contains("saturation rows/s, gateway / raw Redis (h2load)")
        .contains("90.0 % (36000 vs 40000 rows/s)")
        .contains("HTTP JSON rows/s / gRPC's (h2load)")
        .contains("75.0 % (27000 vs 36000 rows/s)")
        .contains("HTTP NDJSON rows/s / gRPC's (h2load)")
        .doesNotContain("MISSED");
  }

  private static String result(
      String target,
      String api,
      String mode,
      int rows,
      String load,
      double rowsPerSecond,
      double p50,
      double p99,
      int errors) {
    return "RESULT target=%s api=%s mode=%s shape=rows%d_features50 rows=%d features=50 load=%s"
            .formatted(target, api, mode, rows, rows, load)
        + " seconds=15.000 ok=1500 errors=%d req_s=100.0 rows_s=%s p50_ms=%s p99_ms=%s max_ms=9.0"
            .formatted(errors, rowsPerSecond, p50, p99)
        + " present=1.000 send_lag_p99_ms=0.050 error_detail=-";
  }
}
