package io.larder.sdk.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larder.proto.core.DataSourceProto.DataSource;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntityRowsTest {

  @Test
  void rowsInMemoryAreStagedAsCsvForTheJob(@TempDir Path dir) throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("driver_id", 1001L);
    row.put("note", "a, \"quoted\" text");
    row.put("event_timestamp", Instant.parse("2030-01-01T12:00:00Z"));

    DataSource source = EntityRows.of(List.of(row), "event_timestamp").toSource(dir);

    assertThat(source.getType()).isEqualTo(DataSource.SourceType.BATCH_FILE);
    assertThat(source.getEventTimestampColumn()).isEqualTo("event_timestamp");
    Path staged = Path.of(URI.create(source.getFileOptions().getFileUrl()));
    assertThat(staged.toString()).endsWith(".csv");
    assertThat(Files.readAllLines(staged))
        .containsExactly(
            "driver_id,note,event_timestamp",
            "1001,\"a, \"\"quoted\"\" text\",2030-01-01T12:00:00Z");
  }

  @Test
  void rowsWithoutTheTimestampColumnOrWithDifferentColumnsAreRefused(@TempDir Path dir)
      throws Exception {
    assertThatThrownBy(
            () -> EntityRows.of(List.of(Map.of("driver_id", 1L)), "event_timestamp").toSource(dir))
        .hasMessageContaining("no column 'event_timestamp'");
    assertThatThrownBy(
            () ->
                EntityRows.of(
                        List.of(
                            Map.of("driver_id", 1L, "event_timestamp", "2030-01-01T00:00:00Z"),
                            Map.of("rider_id", 1L, "event_timestamp", "2030-01-01T00:00:00Z")),
                        "event_timestamp")
                    .toSource(dir))
        .hasMessageContaining("entity row 1 has columns");
    try (var files = Files.list(dir)) {
      assertThat(files).as("nothing half-written left behind").isEmpty();
    }
  }

  @Test
  void aFileIsPassedAsItIs(@TempDir Path dir) {
    Path file = dir.resolve("entities.parquet");

    DataSource source = EntityRows.file(file, "ts").toSource(dir);

    assertThat(source.getFileOptions().getFileUrl()).isEqualTo(file.toUri().toString());
  }
}
