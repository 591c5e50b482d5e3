package io.larder.sdk.training;

import io.larder.proto.core.DataSourceProto.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The entity rows a training set is built for: a file the retrieval job reads (parquet, or CSV by
 * its suffix), or rows held in memory that are staged as a CSV file first.
 */
public final class EntityRows {

  private final Path file;
  private final String eventTimestampColumn;
  private final List<Map<String, Object>> rows;

  private EntityRows(Path file, String eventTimestampColumn, List<Map<String, Object>> rows) {
    if (eventTimestampColumn == null || eventTimestampColumn.isBlank()) {
      throw new IllegalArgumentException("the entity rows' event timestamp column is required");
    }
    this.file = file;
    this.eventTimestampColumn = eventTimestampColumn;
    this.rows = rows;
  }

  /** A parquet file or directory, or a {@code .csv} file, that the retrieval job can read. */
  public static EntityRows file(Path file, String eventTimestampColumn) {
    return new EntityRows(file.toAbsolutePath(), eventTimestampColumn, null);
  }

  /**
   * Rows held in memory: column name to value (numbers, text, booleans; times as {@link Instant},
   * {@link OffsetDateTime}, {@link ZonedDateTime} or ISO-8601 text). Every row has the same
   * columns.
   */
  public static EntityRows of(Collection<Map<String, Object>> rows, String eventTimestampColumn) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no entity rows given");
    }
    return new EntityRows(null, eventTimestampColumn, List.copyOf(rows));
  }

  /**
   * As the job service's {@code entity_source}: a file, staged under {@code stagingDir} if need be.
   */
  public DataSource toSource(Path stagingDir) {
    Path path = file != null ? file : stage(stagingDir);
    return DataSource.newBuilder()
        .setType(DataSource.SourceType.BATCH_FILE)
        .setEventTimestampColumn(eventTimestampColumn)
        .setFileOptions(DataSource.FileOptions.newBuilder().setFileUrl(path.toUri().toString()))
        .build();
  }

  private Path stage(Path stagingDir) {
    List<String> columns = new ArrayList<>(rows.get(0).keySet());
    if (!columns.contains(eventTimestampColumn)) {
      throw new IllegalArgumentException(
          "entity rows have no column '%s' (columns: %s)".formatted(eventTimestampColumn, columns));
    }
    Path target = stagingDir.resolve("entities-" + UUID.randomUUID() + ".csv").toAbsolutePath();
    try {
      Files.createDirectories(stagingDir);
      try (Writer out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
        out.write(csvLine(new ArrayList<>(columns)));
        int index = 0;
        for (Map<String, Object> row : rows) {
          if (!row.keySet().equals(new LinkedHashMap<>(rows.get(0)).keySet())) {
            throw new IllegalArgumentException(
                "entity row %d has columns %s, the first has %s"
                    .formatted(index, row.keySet(), columns));
          }
          List<Object> values = new ArrayList<>();
          columns.forEach(column -> values.add(text(row.get(column))));
          out.write(csvLine(values));
          index++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage entity rows under " + stagingDir, e);
    } catch (RuntimeException e) {
      try {
        Files.deleteIfExists(target);
      } catch (IOException ignored) {
        // the refusal below says what went wrong
      }
      throw e;
    }
    return target;
  }

  private static Object text(Object value) {
    if (value instanceof OffsetDateTime time) {
      return time.toInstant().toString();
    }
    if (value instanceof ZonedDateTime time) {
      return time.toInstant().toString();
    }
    return value == null ? "" : value;
  }

  private static String csvLine(List<?> values) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        line.append(',');
      }
      String value = String.valueOf(values.get(i));
      if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
        value = '"' + value.replace("\"", "\"\"") + '"';
      }
      line.append(value);
    }
    return line.append('\n').toString();
  }
}
