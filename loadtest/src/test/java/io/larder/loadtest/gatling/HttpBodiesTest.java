package io.larder.loadtest.gatling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpBodiesTest {

  private static final String PRESENT_ROW =
      "{\"fields\":{\"entity_id\":{\"int64Val\":\"7\"}},"
          + "\"statuses\":{\"entity_id\":\"PRESENT\",\"table_0:feature_0\":\"PRESENT\"}}";
  private static final String NOT_FOUND_ROW =
      "{\"statuses\":{\"entity_id\":\"PRESENT\",\"table_0:feature_0\":\"NOT_FOUND\"}}";

  @Test
  void aJsonAnswerNeedsTheRequestedRowsAndAPresentValue() {
    String two = "{\"fieldValues\":[" + PRESENT_ROW + "," + PRESENT_ROW + "]}";

    assertThat(HttpBodies.checkJson(two, 2)).isEqualTo(HttpBodies.OK);
    assertThat(HttpBodies.checkJson(two, 3)).isEqualTo("expected 3 rows, got 2");
    assertThat(HttpBodies.checkJson("{\"field_values\":[" + NOT_FOUND_ROW + "]}", 1))
        .isEqualTo("no PRESENT value in row 0");
    assertThat(HttpBodies.checkJson("{oops", 1)).startsWith("not a GetOnlineFeaturesResponse");
  }

  @Test
  void anNdjsonAnswerNeedsOneLinePerRowWithDistinctIndices() {
    String line0 = "{\"rowIndex\":0,\"row\":" + NOT_FOUND_ROW + "}";
    String line1 = "{\"row_index\":1,\"row\":" + PRESENT_ROW + "}";

    assertThat(HttpBodies.checkNdjson(line1 + "\n" + line0 + "\n", 2)).isEqualTo(HttpBodies.OK);
    assertThat(HttpBodies.checkNdjson(line0 + "\n" + line0 + "\n", 2))
        .isEqualTo("bad or repeated row_index 0");
    assertThat(HttpBodies.checkNdjson(line0 + "\n", 2)).isEqualTo("expected 2 lines, got 1");
    assertThat(HttpBodies.checkNdjson(line0, 1)).isEqualTo("no PRESENT value in any row");
  }
}
