package io.larder.loadtest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BenchTablesTest {

  @Test
  void aStreamEventCarriesTheSourceColumnsWithAnIsoEventTime() {
    assertThat(BenchTables.event(1_000_042, 42, Instant.parse("2026-12-02T18:38:25.123456Z")))
        .isEqualTo("{\"event_key\":1000042,\"seq\":42,\"ts\":\"2026-12-02T18:38:25.123Z\"}");
  }
}
