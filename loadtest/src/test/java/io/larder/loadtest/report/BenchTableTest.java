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
        .contains(">= 40 % met")
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

  private static String print(Path... files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<java.util.Map<String, String>> results =
        java.util.Arrays.stream(files).flatMap(f -> BenchTable.read(f).stream()).toList();
    BenchTable.print(results, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
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
