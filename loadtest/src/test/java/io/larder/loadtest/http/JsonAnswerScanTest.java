package io.larder.loadtest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.loadtest.driver.CallResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonAnswerScanTest {

  private static final String[] FEATURES = {"t0:f0", "t0:f1", "t1:f0"};

  private static final String ROW0 =
      "{\"fields\":{\"entity_id\":{\"int64Val\":\"7\"},\"t0:f0\":{\"int64Val\":\"1\"},"
          + "\"t1:f0\":{\"stringVal\":\"statuses: {}\"}},"
          + "\"statuses\":{\"entity_id\":\"PRESENT\",\"t0:f0\":\"PRESENT\","
          + "\"t0:f1\":\"NOT_FOUND\",\"t1:f0\":\"PRESENT\"}}";
  private static final String ROW1 =
      "{\"fields\":{},\"statuses\":{\"entity_id\":\"PRESENT\",\"t0:f0\":\"NULL_VALUE\"}}";

  @Test
  void countsRowsAndThePresentRequestedFeaturesOfTheFirstRow() {
    JsonAnswerScan scan = scan("{\"fieldValues\":[" + ROW0 + "," + ROW1 + "]}", 7);

    CallResult result = scan.result(2, false, FEATURES);

    // The entity's own PRESENT status is not a requested feature.
    assertThat(result).isEqualTo(new CallResult(2, 2, 3));
  }

  @Test
  void findsTheKeyWhenTheAnswerIsSplitAnywhere() {
    String body = "{\"fieldValues\":[" + ROW0 + "," + ROW1 + "," + ROW1 + "]}";
    for (int chunk = 1; chunk < 16; chunk++) {
      assertThat(scan(body, chunk).result(3, false, FEATURES)).isEqualTo(new CallResult(3, 2, 3));
    }
  }

  @Test
  void ndjsonHasOneLinePerRow() {
    String body = "{\"rowIndex\":1,\"row\":" + ROW1 + "}\n{\"row\":" + ROW0 + "}\n";

    assertThat(scan(body, 5).result(2, true, FEATURES)).isEqualTo(new CallResult(2, 0, 3));
    assertThatThrownBy(() -> scan(body, 5).result(3, true, FEATURES))
        .isInstanceOf(JsonAnswerScan.WrongAnswerException.class)
        .hasMessage("expected 3 lines, got 2");
  }

  @Test
  void aWrongRowCountIsAWrongAnswer() {
    assertThatThrownBy(
            () -> scan("{\"fieldValues\":[" + ROW0 + "]}", 3).result(10, false, FEATURES))
        .isInstanceOf(JsonAnswerScan.WrongAnswerException.class)
        .hasMessage("expected 10 rows, got 1");
  }

  private static JsonAnswerScan scan(String body, int chunk) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    JsonAnswerScan scan = new JsonAnswerScan();
    for (int from = 0; from < bytes.length; from += chunk) {
      byte[] part = new byte[Math.min(chunk, bytes.length - from)];
      System.arraycopy(bytes, from, part, 0, part.length);
      scan.feed(part);
    }
    return scan;
  }
}
