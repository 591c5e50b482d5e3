package io.larder.jobs.historical;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.larder.jobs.historical.RetrievalPlan.KeyGroup;
import io.larder.jobs.historical.RetrievalPlan.TableRequest;
import io.larder.jobs.source.FeatureSource;
import io.larder.jobs.source.SparkTypes;
import io.larder.proto.larder.JobsProto.EntitySource;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import io.larder.proto.larder.JobsProto.HistoricalRetrievalSpec;
import io.larder.proto.larder.JobsProto.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * Point-in-time join of an entity source with feature tables, written as parquet (or returned as a
 * dataset by {@link #join}, which the Spark SDK calls): per entity row and table, the latest
 * feature row of the same entity key whose event time is at or before the entity row's (and within
 * the table's max_age), ties broken by created time.
 */
public final class HistoricalRetrievalJob {

  public static final String JOB = "historical_retrieval";
  static final String EVENT_TIMESTAMP = FeatureSource.EVENT_TIMESTAMP;
  static final String CREATED_TIMESTAMP = FeatureSource.CREATED_TIMESTAMP;

  private HistoricalRetrievalJob() {}

  public static JobResult run(SparkSession spark, HistoricalRetrievalSpec spec) {
    long started = System.nanoTime();
    RetrievalPlan plan = RetrievalPlan.of(spec);
    refuseExistingOutput(spark, spec.getOutputPath());

    Dataset<Row> entityRows = readEntitySource(spark, spec.getEntitySource());
    join(entityRows, plan, "entity_source").write().parquet(spec.getOutputPath());

    // Parquet footers hold the row counts: no second pass over the data.
    long rowsOutput = spark.read().parquet(spec.getOutputPath()).count();
    return JobResult.newBuilder()
        .setJob(JOB)
        .setStatus("SUCCEEDED")
        .setOutputPath(spec.getOutputPath())
        .setRowsOutput(rowsOutput)
        .setSeconds((System.nanoTime() - started) / 1e9)
        .build();
  }

  /**
   * The dataset the job writes, for entity rows the caller already has: every column of {@code
   * entityRows}, then one column {@code <table>__<feature>} per requested feature, in request
   * order. The spec's {@code entity_source} and {@code output_path} are not used.
   *
   * <p>Computing the time bounds of the entity rows runs one Spark job before this returns, and the
   * join reads the entity rows again: cache them when they are expensive to compute.
   *
   * @param entityRows an {@code event_timestamp} column (timestamp, date, ISO-8601 text or epoch
   *     seconds) and one column per entity of the requested tables; other columns are carried along
   * @throws IllegalArgumentException naming what is wrong with the spec or the entity rows
   */
  public static Dataset<Row> join(Dataset<Row> entityRows, HistoricalRetrievalSpec spec) {
    return join(entityRows, RetrievalPlan.forEntityRows(spec), "entities");
  }

  /** The point-in-time join; {@code entitySource} names the entity rows in error messages. */
  private static Dataset<Row> join(
      Dataset<Row> rawEntityRows, RetrievalPlan plan, String entitySource) {
    SparkSession spark = rawEntityRows.sparkSession();
    Dataset<Row> entityRows = typedEntityRows(rawEntityRows, plan, entitySource);
    Dataset<Row> joined = entityRows;
    EventTimeBounds bounds = EventTimeBounds.of(entityRows);
    for (KeyGroup group : plan.groups()) {
      List<Dataset<Row>> featureRows = new ArrayList<>();
      for (TableRequest request : group.tables()) {
        featureRows.add(featureRows(spark, plan, request, bounds));
      }
      joined =
          PointInTimeJoin.join(
              joined, bounds.rows(), group, featureRows, plan.knownAsOfEntityTime());
    }
    List<Column> output = new ArrayList<>();
    for (String name : entityRows.columns()) {
      output.add(PointInTimeJoin.column(name));
    }
    plan.outputColumns().forEach(name -> output.add(col(name)));
    return joined.select(output.toArray(Column[]::new));
  }

  /** The entity source's rows as read (parquet, or CSV with a header row). */
  static Dataset<Row> readEntitySource(SparkSession spark, EntitySource source) {
    boolean csv =
        source.getFileFormat() == FileFormatOverride.CSV
            || (source.getFileFormat() == FileFormatOverride.FILE_FORMAT_FROM_SOURCE
                && source.getPath().toLowerCase().endsWith(".csv"));
    return csv
        ? spark.read().option("header", "true").csv(source.getPath())
        : spark.read().parquet(source.getPath());
  }

  /** Entity rows with entity columns and event_timestamp typed, every other column as read. */
  static Dataset<Row> typedEntityRows(Dataset<Row> raw, RetrievalPlan plan, String entitySource) {
    List<String> columns = Arrays.asList(raw.columns());
    plan.checkEntityColumns(columns, entitySource);
    List<Column> typed = new ArrayList<>();
    for (String name : columns) {
      Column column = PointInTimeJoin.column(name);
      if (name.equals(EVENT_TIMESTAMP)) {
        DataType type = raw.schema().apply(name).dataType();
        Column timestamp = FeatureSource.toTimestamp(type, column);
        if (timestamp == null) {
          throw new IllegalArgumentException(
              "%s: column \"%s\" is %s (%s)"
                  .formatted(
                      entitySource, name, type.simpleString(), FeatureSource.TIMESTAMP_FORMS));
        }
        column = timestamp.as(name);
      } else if (plan.entityNames().contains(name)) {
        column = column.cast(SparkTypes.of(plan.entities().get(name).getValueType())).as(name);
      }
      typed.add(column);
    }
    return raw.select(typed.toArray(Column[]::new));
  }

  /** A table's valid rows that can match some entity row, with only the columns the join needs. */
  private static Dataset<Row> featureRows(
      SparkSession spark, RetrievalPlan plan, TableRequest request, EventTimeBounds bounds) {
    // Rows after the latest entity row, or older than the earliest one minus max_age, never match;
    // handing the range to the source also lets it prune date partitions.
    Instant start =
        bounds.earliest() == null || request.maxAgeMicros() == 0
            ? null
            : bounds.earliest().minus(request.maxAgeMicros(), ChronoUnit.MICROS);
    Instant end = bounds.latest() == null ? null : bounds.latest().plus(1, ChronoUnit.MICROS);
    Dataset<Row> rows =
        FeatureSource.read(
                spark,
                request.table(),
                request.table().getEntitiesList().stream()
                    .map(name -> plan.entities().get(name))
                    .toList(),
                request.format(),
                start,
                end)
            .where(col(FeatureSource.REJECT).isNull());
    if (plan.knownAsOf() != null) {
      // A row without created ts is known from its event time on.
      rows =
          rows.where(
              coalesce(col(CREATED_TIMESTAMP), col(EVENT_TIMESTAMP))
                  .leq(lit(Timestamp.from(plan.knownAsOf()))));
    }
    List<Column> needed = new ArrayList<>();
    request.table().getEntitiesList().forEach(name -> needed.add(col(name)));
    needed.add(col(EVENT_TIMESTAMP));
    needed.add(col(CREATED_TIMESTAMP));
    request.features().forEach(feature -> needed.add(col(feature.getName())));
    return rows.select(needed.toArray(Column[]::new));
  }

  private static void refuseExistingOutput(SparkSession spark, String outputPath) {
    try {
      Path path = new Path(outputPath);
      if (path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
        throw new IllegalArgumentException(
            "output_path: " + outputPath + " already exists; give a new path");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("output_path: cannot check " + outputPath, e);
    }
  }

  /**
   * The earliest and latest entity event times (both null when there are no entity rows), and how
   * many entity rows there are.
   */
  record EventTimeBounds(Instant earliest, Instant latest, long rows) {

    static EventTimeBounds of(Dataset<Row> entityRows) {
      Row row =
          entityRows
              .agg(
                  functions.min(EVENT_TIMESTAMP),
                  functions.max(EVENT_TIMESTAMP),
                  functions.count(functions.lit(1)))
              .first();
      return new EventTimeBounds(instant(row.get(0)), instant(row.get(1)), row.getLong(2));
    }

    private static Instant instant(Object value) {
      if (value instanceof Timestamp timestamp) {
        return timestamp.toInstant();
      }
      return (Instant) value; // spark.sql.datetime.java8API.enabled
    }
  }
}
