package io.larder.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.driver.CallResult;
import io.larder.loadtest.driver.Tally;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  @Test
  void aReportCountsRatesAndPercentilesOverTheMeasuredWindow() {
    Tally tally = new Tally(Duration.ofSeconds(2));
    for (int i = 1; i <= 100; i++) {
      tally.record(
          0, TimeUnit.MICROSECONDS.toNanos(i * 10), new CallResult(10, 9, 10), null, e -> "");
    }
    tally.error("UNAVAILABLE");

    LoadReport report = LoadReport.of("gateway", "grpc", "open", 10, 50, 100, tally);

    assertThat(report.requestsPerSecond()).isEqualTo(50);
    assertThat(report.rowsPerSecond()).isEqualTo(500);
    assertThat(report.p50Ms()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
    assertThat(report.maxMs()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(report.presentRatio()).isEqualTo(0.9);
    assertThat(report.errorCount()).isEqualTo(1);
    assertThat(report.humanText()).contains("rows10_features50").contains("UNAVAILABLE:1");
  }

  @Test
  void theResultLineParsesBackIntoItsFields() {
    Tally tally = new Tally(Duration.ofSeconds(1));
    tally.record(0, 1_000_000, new CallResult(1, 1, 1), null, e -> "");
    tally.error("DEADLINE_EXCEEDED");
    tally.error("UNAVAILABLE");

    Map<String, String> fields =
        LoadReport.parseResultLine(
            LoadReport.of("redis", "hmget", "closed", 1, 50, 32, tally).resultLine());

    assertThat(fields)
        .containsEntry("target", "redis")
        .containsEntry("api", "hmget")
        .containsEntry("mode", "closed")
        .containsEntry("shape", "rows1_features50")
        .containsEntry("load", "32.000")
        .containsEntry("ok", "1")
        .containsEntry("errors", "2")
        .containsEntry("req_s", "1.000")
        .containsEntry("error_detail", "DEADLINE_EXCEEDED:1,UNAVAILABLE:1")
        .containsKeys("p50_ms", "p99_ms", "max_ms", "rows_s", "present", "send_lag_p99_ms");
  }
}
