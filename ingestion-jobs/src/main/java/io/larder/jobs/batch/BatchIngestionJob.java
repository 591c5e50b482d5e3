package io.larder.jobs.batch;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.larder.jobs.online.OnlineIngestion;
import io.larder.jobs.online.OnlineIngestion.WriteCounts;
import io.larder.jobs.source.FeatureSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.BatchIngestionSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Offline → online: a feature table's batch source, rows in [start, end), into Redis; or, through
 * {@link #ingest}, rows shaped like that source (the Spark SDK's DataFrames).
 */
public final class BatchIngestionJob {

  public static final String JOB = "batch_ingestion";

  private BatchIngestionJob() {}

  public static JobResult run(SparkSession spark, BatchIngestionSpec spec) {
    long started = System.nanoTime();
    validate(spec);
    Dataset<Row> rows =
        FeatureSource.read(
            spark,
            spec.getTable(),
            spec.getEntitiesList(),
            spec.getFileFormat(),
            start(spec),
            end(spec),
            !spec.getDeadLetterPath().isBlank());
    return write(
        rows, spec, spec.getTable().getBatchSource().getFileOptions().getFileUrl(), started);
  }

  /**
   * Ingests rows the caller already has exactly as {@link #run} ingests the table's batch source:
   * {@code sourceRows} look like that source (its column names, so its field_mapping and timestamp
   * columns apply), rows outside the spec's [start, end) are dropped, rejected rows are counted and
   * skipped, and the newest row per entity key is written newest-wins. The table needs no file_url
   * and the spec's file_format is not used.
   *
   * @throws IllegalArgumentException naming what is wrong with the spec or the rows' columns
   */
  public static JobResult ingest(Dataset<Row> sourceRows, BatchIngestionSpec spec) {
    long started = System.nanoTime();
    validateAllButSource(spec);
    FeatureTableSpec table = spec.getTable();
    Dataset<Row> rows =
        FeatureSource.canonical(
            sourceRows,
            table,
            table.getBatchSource(),
            spec.getEntitiesList(),
            start(spec),
            end(spec),
            List.of(),
            !spec.getDeadLetterPath().isBlank());
    return write(rows, spec, "dataframe", started);
  }

  /** Counts and writes canonical rows: the one write path of {@link #run} and {@link #ingest}. */
  private static JobResult write(
      Dataset<Row> canonicalRows, BatchIngestionSpec spec, String source, long started) {
    Instant startedAt = Instant.now();
    // Counted once and written once: cached so the source is read a single time. A source that
    // cannot be read (a corrupt file) fails here, before anything reaches Redis.
    Dataset<Row> rows = canonicalRows.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      RowCounts counts = countRows(rows);
      String deadLetters = spec.getDeadLetterPath();
      boolean keptDeadLetters = !deadLetters.isBlank() && counts.rejected() > 0;
      if (keptDeadLetters) {
        // Before Redis: a rejected row is on disk even if the write fails half way.
        rows.where(col(FeatureSource.REJECT).isNotNull())
            .select(
                col(FeatureSource.REJECT).as("reason"),
                col(FeatureSource.SOURCE_ROW).as("source_row"),
                lit(source).as("source"),
                lit(java.sql.Timestamp.from(startedAt)).as("ingested_at"))
            .write()
            .mode(SaveMode.Append)
            .parquet(deadLetters);
      }
      WriteCounts written =
          OnlineIngestion.write(
              rows.where(col(FeatureSource.REJECT).isNull())
                  .drop(FeatureSource.REJECT, FeatureSource.SOURCE_ROW),
              spec.getProject(),
              spec.getTable(),
              spec.getEntitiesList(),
              spec.getRedis());
      return JobResult.newBuilder()
          .setJob(JOB)
          .setStatus("SUCCEEDED")
          .setRowsRead(counts.read())
          .setRowsWritten(written.written())
          .setRowsNotNewer(written.notNewer())
          .setRowsSkippedNullEntity(counts.nullEntity())
          .setRowsSkippedNullTimestamp(counts.nullTimestamp())
          .setRowsSkippedWrongType(counts.wrongType())
          .setMessagesMalformed(counts.malformed())
          .setDeadLetterPath(keptDeadLetters ? deadLetters : "")
          .setSeconds((System.nanoTime() - started) / 1e9)
          .build();
    } finally {
      rows.unpersist();
    }
  }

  /** Rows read and rejected, by reason. */
  record RowCounts(long read, long nullEntity, long nullTimestamp, long wrongType, long malformed) {

    long rejected() {
      return nullEntity + nullTimestamp + wrongType + malformed;
    }
  }

  /** All counts in one aggregation (one pass over the rows). */
  static RowCounts countRows(Dataset<Row> canonicalRows) {
    Column reject = col(FeatureSource.REJECT);
    Row counts =
        canonicalRows
            .agg(
                count(lit(1)),
                rejected(reject, FeatureSource.NULL_ENTITY),
                rejected(reject, FeatureSource.NULL_TIMESTAMP),
                rejected(reject, FeatureSource.WRONG_TYPE),
                rejected(reject, FeatureSource.MALFORMED))
            .first();
    return new RowCounts(
        counts.getLong(0),
        counts.getLong(1),
        counts.getLong(2),
        counts.getLong(3),
        counts.getLong(4));
  }

  private static Column rejected(Column reject, String reason) {
    return coalesce(sum(when(reject.equalTo(reason), 1L).otherwise(0L)), lit(0L));
  }

  /** Refuses a spec the job cannot run, naming the field. */
  static void validate(BatchIngestionSpec spec) {
    validateAllButSource(spec);
    FeatureTableSpec table = spec.getTable();
    if (!table.hasBatchSource()
        || !table.getBatchSource().hasFileOptions()
        || table.getBatchSource().getFileOptions().getFileUrl().isBlank()) {
      throw new IllegalArgumentException(
          "feature table '"
              + table.getName()
              + "': table.batch_source.file_options.file_url is required");
    }
  }

  /** Everything {@link #validate} checks but where the rows come from. */
  private static void validateAllButSource(BatchIngestionSpec spec) {
    if (!spec.hasTable() || spec.getTable().getName().isBlank()) {
      throw new IllegalArgumentException("table.name is required");
    }
    FeatureTableSpec table = spec.getTable();
    String name = table.getName();
    if (table.getEntitiesCount() == 0) {
      throw new IllegalArgumentException("feature table '" + name + "': table.entities is empty");
    }
    Set<String> given = new HashSet<>();
    for (EntitySpecV2 entity : spec.getEntitiesList()) {
      given.add(entity.getName());
    }
    for (String entity : table.getEntitiesList()) {
      if (!given.contains(entity)) {
        throw new IllegalArgumentException(
            "feature table '" + name + "': entities has no spec for entity '" + entity + "'");
      }
    }
    Instant start = start(spec);
    Instant end = end(spec);
    if (start != null && end != null && !start.isBefore(end)) {
      throw new IllegalArgumentException("start (" + start + ") must be before end (" + end + ")");
    }
    if (!spec.hasRedis() || spec.getRedis().getUri().isBlank()) {
      throw new IllegalArgumentException("redis.uri is required");
    }
  }

  private static Instant start(BatchIngestionSpec spec) {
    return spec.hasStart() ? instant(spec.getStart()) : null;
  }

  private static Instant end(BatchIngestionSpec spec) {
    return spec.hasEnd() ? instant(spec.getEnd()) : null;
  }

  private static Instant instant(com.google.protobuf.Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
