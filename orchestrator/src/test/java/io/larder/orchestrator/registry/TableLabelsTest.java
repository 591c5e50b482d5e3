package io.larder.orchestrator.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TableLabelsTest {

  private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void anIntervalRunsAtOnceThenOneIntervalAfterTheLastRun() {
    TableLabels.Schedule every =
        TableLabels.schedule(table("larder.io/ingest-every", "1h")).orElseThrow();
    assertThat(every.every()).isEqualTo(Duration.ofHours(1));
    assertThat(every.from()).isEqualTo(Instant.EPOCH);
    assertThat(every.nextRun(null, null, CREATED)).isEqualTo(Instant.MIN);
    assertThat(every.nextRun(CREATED, CREATED, CREATED)).isEqualTo(CREATED.plusSeconds(3600));
    // A failed run (no new window end) is retried one interval after it, not at once.
    assertThat(every.nextRun(CREATED, CREATED.plusSeconds(7200), CREATED))
        .isEqualTo(CREATED.plusSeconds(10800));
  }

  @Test
  void aCronRunsAtTheNextTickAfterTheLastRunOrTheTableCreation() {
    TableLabels.Schedule cron =
        TableLabels.schedule(
                table("larder.io/ingest-cron", "0 0 * * * *").toBuilder()
                    .putLabels("larder.io/ingest-from", "2029-12-31T00:00:00Z")
                    .build())
            .orElseThrow();
    assertThat(cron.from()).isEqualTo(Instant.parse("2029-12-31T00:00:00Z"));
    assertThat(cron.nextRun(null, null, CREATED.plusSeconds(60)))
        .isEqualTo(CREATED.plusSeconds(3600));
    assertThat(cron.nextRun(CREATED, CREATED.plusSeconds(3600), CREATED))
        .isEqualTo(CREATED.plusSeconds(7200));
  }

  @Test
  void noLabelNoSchedule_andBadLabelsAreReported() {
    assertThat(TableLabels.schedule(FeatureTableSpec.getDefaultInstance())).isEmpty();
    assertThatThrownBy(() -> TableLabels.schedule(table("larder.io/ingest-every", "0s")))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> TableLabels.schedule(table("larder.io/ingest-cron", "nope")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jsonStreamsAreDeclaredByLabel() {
    assertThat(TableLabels.streamsJson(table("larder.io/stream-format", "json"))).isTrue();
    assertThat(TableLabels.streamsJson(table("larder.io/stream-format", "avro"))).isFalse();
  }

  private static FeatureTableSpec table(String label, String value) {
    return FeatureTableSpec.newBuilder().setName("t").putLabels(label, value).build();
  }
}
