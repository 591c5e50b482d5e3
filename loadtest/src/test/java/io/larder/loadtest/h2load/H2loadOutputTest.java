package io.larder.loadtest.h2load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.loadtest.report.LoadReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2loadOutputTest {

  // What nghttp2 1.52's h2load printed for a 3 s run against the gateway, then the shell's times.
  private static final String PRINTED =
      """
      starting benchmark...
      Application protocol: h2c

      finished in 3.00s, 4138.00 req/s, 106.56MB/s
      requests: 12414 total, 12446 started, 12414 done, 12414 succeeded, 0 failed, 0 errored, 0 timeout
      status codes: 12414 2xx, 0 3xx, 0 4xx, 0 5xx
      traffic: 320.20MB (335750955) total, 48.75KB (49920) headers (space savings 95.16%), 319.69MB (335215242) data
                           min         max         mean         sd        +/- sd
      time for request:     2.01ms     28.29ms      8.12ms      1.54ms    72.01%
      0m0.003s 0m0.001s
      0m0.310s 0m1.070s
      """;

  @TempDir Path dir;

  @Test
  void readsTheSummaryAndTheChildrensCpuTime() {
    H2loadOutput output = H2loadOutput.parse(PRINTED);

    assertThat(output.seconds()).isEqualTo(3.0);
    assertThat(output.done()).isEqualTo(12414);
    assertThat(output.succeeded()).isEqualTo(12414);
    assertThat(output.status2xx()).isEqualTo(12414);
    assertThat(output.dataBytes()).isEqualTo(335215242L);
    assertThat(H2loadOutput.childCpuSeconds(PRINTED))
        .isCloseTo(1.38, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void saysWhatIsMissingWhenTheOutputIsNotASummary() {
    assertThatThrownBy(() -> H2loadOutput.parse("connect: Connection refused"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("finished in")
        .hasMessageContaining("Connection refused");
  }

  @Test
  void answersOfTheCheckedSizeAreOkAndShortOnesAreWrong() throws Exception {
    Path log = dir.resolve("log.tsv");
    Files.write(log, List.of("1\t200\t5000", "2\t200\t7000", "3\t503\t100"));
    H2loadOutput output = H2loadOutput.parse(PRINTED);

    LoadReport right =
        H2loadReports.report(
            H2loadApi.grpc,
            10,
            50,
            32,
            output,
            new AnswerCheck.Expected(27003, 510),
            log,
            Map.of("driver", 1.0));
    LoadReport wrong =
        H2loadReports.report(
            H2loadApi.grpc,
            10,
            50,
            32,
            output,
            new AnswerCheck.Expected(27100, 510),
            log,
            Map.of());

    assertThat(right.errors()).isEmpty();
    assertThat(right.rowsAnswered()).isEqualTo(124140);
    assertThat(right.presentRatio()).isEqualTo(1.0);
    assertThat(right.p50Ms()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(right.resultLine()).contains("target=h2load api=grpc mode=closed");
    assertThat(wrong.errors()).containsKey("WRONG_SIZE");
  }

  @Test
  void buildsGrpcFramedAndJsonBodies() {
    var request =
        io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.newBuilder()
            .setProject("p")
            .build();

    byte[] framed = H2loadApi.grpc.body(request);
    assertThat(framed[0]).isZero();
    assertThat(framed.length).isEqualTo(5 + request.getSerializedSize());
    assertThat(
            new String(H2loadApi.http_json.body(request), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"project\":\"p\"");
    assertThat(H2loadApi.http_ndjson.url("h:1", "http://h:2/"))
        .isEqualTo("http://h:2/api/v1/features/online/stream");
  }
}
