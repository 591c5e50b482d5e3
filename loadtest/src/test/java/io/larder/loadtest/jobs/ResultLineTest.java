package io.larder.loadtest.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultLineTest {

  @Test
  void aResultLineParsesBackToItsFields() {
    String line = new ResultLine("batch_launch").put("run", 1).seconds("to_done_s", 12.3456).text();

    assertThat(ResultLine.parse(line))
        .containsExactly(
            Map.entry("bench", "batch_launch"),
            Map.entry("run", "1"),
            Map.entry("to_done_s", "12.346"));
    assertThat(ResultLine.parse("bench: starting the registry")).isEmpty();
  }

  @Test
  void valuesWithSpacesAreRefused() {
    assertThatThrownBy(() -> new ResultLine("x").put("error", "two words"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theReportGivesBatchMediansAndJudgesFreshnessAgainstTheTarget() {
    List<Map<String, String>> lines =
        List.of(
            batch("1", "20.0", "5.0"),
            batch("2", "12.0", "3.0"),
            batch("3", "14.0", "4.0"),
            ResultLine.parse(
                "RESULT bench=stream_freshness trigger=0s events=1000 rate=50 produced=1000"
                    + " never_served=0 p50_ms=400.0 p90_ms=900.0 p99_ms=1900.0 max_ms=2500.0"
                    + " poll_ms=20 lookup_errors=0 rss_mb=900 peak_rss_mb=950 xmx=1g attempts=1"),
            ResultLine.parse(
                "RESULT bench=stream_freshness trigger=1s events=1000 rate=50 produced=1000"
                    + " never_served=0 p50_ms=900.0 p90_ms=1500.0 p99_ms=2100.0 max_ms=2500.0"
                    + " poll_ms=20 lookup_errors=0 rss_mb=900 peak_rss_mb=950 xmx=1g attempts=1"));
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    ReportCommand.render(lines, 2000, new PrintStream(text, true, StandardCharsets.UTF_8));

    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report).containsPattern("median .* 14\\.00 s +4\\.00 s +10\\.00 s");
    assertThat(report).containsPattern("0s .* 1900 ms .* met");
    assertThat(report).containsPattern("1s .* 2100 ms .* missed");
  }

  private static Map<String, String> batch(String run, String done, String own) {
    double overhead = Double.parseDouble(done) - Double.parseDouble(own);
    return ResultLine.parse(
        "RESULT bench=batch_launch run=%s job=batch-%s status=DONE rows=5000 to_running_s=0.05"
                .formatted(run, run)
            + " to_done_s=%s job_s=%s overhead_s=%s".formatted(done, own, overhead));
  }
}
