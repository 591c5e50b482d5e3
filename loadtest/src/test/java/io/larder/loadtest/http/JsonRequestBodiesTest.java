package io.larder.loadtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.loadtest.shape.OnlineRequests;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRequestBodiesTest {

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 100_000, 5, 10);

  @Test
  void bodiesAreExactlyWhatTheProtobufJsonPrinterPrints() {
    for (int rows : new int[] {1, 3, 10}) {
      OnlineRequests requests = new OnlineRequests(shape, rows, 50);
      JsonRequestBodies bodies = new JsonRequestBodies(requests, shape.entities());
      long[] ids = new long[rows];
      for (int i = 0; i < rows; i++) {
        ids[i] = i * 7919L;
      }

      assertThat(new String(bodies.forIds(ids), StandardCharsets.UTF_8))
          .isEqualTo(OnlineRequests.toJson(requests.forIds(ids)));
    }
  }

  @Test
  void nextHasTheRequestedNumberOfRows() {
    OnlineRequests requests = new OnlineRequests(shape, 10, 20);
    String body =
        new String(
            new JsonRequestBodies(requests, shape.entities()).next(), StandardCharsets.UTF_8);

    assertThat(body.split("int64Val", -1)).hasSize(11);
  }
}
