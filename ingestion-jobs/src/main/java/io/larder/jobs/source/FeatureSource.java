package io.larder.jobs.source;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.when;

import io.larder.proto.core.DataSourceProto.DataSource;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.FileFormatOverride;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A feature table's rows in canonical form, whatever its source looks like: one column per entity
 * and feature (named as in the spec, typed by {@link SparkTypes}), {@value #EVENT_TIMESTAMP},
 * {@value #CREATED_TIMESTAMP} (null when the source has none) and {@value #REJECT}, which says why
 * a row cannot be used (null when it can).
 */
public final class FeatureSource {

  public static final String EVENT_TIMESTAMP = "event_timestamp";
  public static final String CREATED_TIMESTAMP = "created_timestamp";
  public static final String REJECT = "_reject";

  /** {@value #REJECT} values. */
  public static final String NULL_ENTITY = "null_entity";

  public static final String NULL_TIMESTAMP = "null_timestamp";
  public static final String WRONG_TYPE = "wrong_type";

  /** A CSV line that does not split into the header's columns. */
  public static final String MALFORMED = "malformed";

  /**
   * With {@code sourceRows}: the rejected row as it was read (JSON of its source columns, or a
   * malformed CSV line as is), null for usable rows; only computed for rejected ones.
   */
  public static final String SOURCE_ROW = "_source_row";

  /** Where Spark's CSV reader puts a line that does not fit the header. */
  private static final String MALFORMED_LINE = "_malformed_line";

  private FeatureSource() {}

  /**
   * Reads the table's batch source (parquet, or CSV with a header row), keeping rows whose event
   * time is in [{@code start}, {@code end}) (either may be null: unbounded). The date partition
   * column, when the spec names one, is filtered too, so Spark skips partitions out of range.
   *
   * <p>A parquet URL may be a directory of {@code key=value} directories at any depth, such as a
   * table's stream offline output, one directory per job generation: {@code
   * <table>/stream_job=<id>/date=<day>/batch_id=<n>/}. Spark discovers those keys as columns; the
   * generations' files may differ in columns (see below).
   */
  public static Dataset<Row> read(
      SparkSession spark,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      FileFormatOverride format,
      Instant start,
      Instant end) {
    return read(spark, table, entities, format, start, end, false);
  }

  /** As {@link #read}, with {@value #SOURCE_ROW} when {@code sourceRows} (for dead letters). */
  public static Dataset<Row> read(
      SparkSession spark,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      FileFormatOverride format,
      Instant start,
      Instant end,
      boolean sourceRows) {
    DataSource source = table.getBatchSource();
    String url = source.hasFileOptions() ? source.getFileOptions().getFileUrl() : "";
    if (url.isBlank()) {
      throw new IllegalArgumentException(
          "feature table '"
              + table.getName()
              + "': batch_source.file_options.file_url is required (only file sources are read)");
    }
    Dataset<Row> raw = isCsv(format, url) ? csv(spark, url) : spark.read().parquet(url);
    if (!isCsv(format, url) && !Set.of(raw.columns()).containsAll(sourceColumnsRead(table))) {
      // Spark takes a parquet directory's schema from one file; files written at different times
      // (stream-job generations before and after a feature was added) differ, so merge them all.
      // Only then: merging reads every file's footer.
      raw = spark.read().option("mergeSchema", "true").parquet(url);
    }
    String partitionColumn = source.getDatePartitionColumn();
    if (!partitionColumn.isBlank() && Set.of(raw.columns()).contains(partitionColumn)) {
      // ISO dates compare as strings, and a predicate on the partition column alone prunes.
      Column partition = col(partitionColumn).cast(DataTypes.StringType);
      if (start != null) {
        raw = raw.where(partition.geq(lit(isoDate(start))));
      }
      if (end != null) {
        raw = raw.where(partition.leq(lit(isoDate(end))));
      }
    }
    return canonical(raw, table, source, entities, start, end, List.of(), sourceRows);
  }

  /**
   * A CSV source as text columns named by its header, plus {@value #MALFORMED_LINE}: a line with
   * more or fewer fields than the header is kept there whole (Spark's permissive mode would
   * otherwise pad it with nulls, and a null feature deletes the stored value).
   */
  private static Dataset<Row> csv(SparkSession spark, String url) {
    // Without inferSchema only the header line is read to name the columns.
    StructType header = spark.read().option("header", "true").csv(url).schema();
    return spark
        .read()
        .option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", MALFORMED_LINE)
        .schema(header.add(MALFORMED_LINE, DataTypes.StringType))
        .csv(url);
  }

  /**
   * Feature or entity name → the source column holding it, from the source's field_mapping (which
   * maps source columns to names); a name without an entry is its own column.
   */
  public static Map<String, String> sourceColumns(DataSource source) {
    Map<String, String> sourceColumnOf = new HashMap<>();
    source.getFieldMappingMap().forEach((column, name) -> sourceColumnOf.put(name, column));
    return sourceColumnOf;
  }

  /** The batch source's columns the canonical rows are made of. */
  private static List<String> sourceColumnsRead(FeatureTableSpec table) {
    DataSource source = table.getBatchSource();
    Map<String, String> sourceColumnOf = sourceColumns(source);
    List<String> needed = new ArrayList<>();
    table.getEntitiesList().forEach(e -> needed.add(sourceColumnOf.getOrDefault(e, e)));
    table
        .getFeaturesList()
        .forEach(f -> needed.add(sourceColumnOf.getOrDefault(f.getName(), f.getName())));
    needed.add(source.getEventTimestampColumn());
    if (!source.getCreatedTimestampColumn().isBlank()) {
      needed.add(source.getCreatedTimestampColumn());
    }
    return needed;
  }

  /** CSV when asked for, or when the source names no format and its URL ends in .csv. */
  public static boolean isCsv(FileFormatOverride format, String url) {
    return switch (format) {
      case CSV -> true;
      case PARQUET -> false;
      default -> url.toLowerCase(Locale.ROOT).endsWith(".csv");
    };
  }

  /**
   * Canonical rows from already-loaded source rows (also used for parsed stream messages): field
   * mapping applied, types converted, rows outside [{@code start}, {@code end}) dropped; the {@code
   * keep} columns of {@code raw} are carried along unchanged after the canonical ones.
   */
  public static Dataset<Row> canonical(
      Dataset<Row> raw,
      FeatureTableSpec table,
      DataSource source,
      List<EntitySpecV2> entities,
      Instant start,
      Instant end,
      List<String> keep) {
    return canonical(raw, table, source, entities, start, end, keep, false);
  }

  /** As {@link #canonical}, followed by {@value #SOURCE_ROW} when {@code sourceRows}. */
  public static Dataset<Row> canonical(
      Dataset<Row> raw,
      FeatureTableSpec table,
      DataSource source,
      List<EntitySpecV2> entities,
      Instant start,
      Instant end,
      List<String> keep,
      boolean sourceRows) {
    StructType schema = raw.schema();
    boolean hasMalformedLines = Arrays.asList(schema.fieldNames()).contains(MALFORMED_LINE);
    Map<String, String> sourceColumnOf = sourceColumns(source);

    Map<String, EntitySpecV2> entityByName = new HashMap<>();
    entities.forEach(e -> entityByName.put(e.getName(), e));
    List<Column> columns = new ArrayList<>();
    List<Column> entityNulls = new ArrayList<>();
    List<Column> wrongTypes = new ArrayList<>();
    for (String entity : table.getEntitiesList()) {
      EntitySpecV2 spec = entityByName.get(entity);
      if (spec == null) {
        throw new IllegalArgumentException(
            "feature table '" + table.getName() + "': no spec given for entity '" + entity + "'");
      }
      Converted converted =
          convert(table, schema, sourceColumnOf, entity, spec.getValueType(), "entity");
      columns.add(converted.value.as(entity));
      entityNulls.add(converted.raw.isNull());
      wrongTypes.add(converted.wrongType);
    }
    for (FeatureSpecV2 feature : table.getFeaturesList()) {
      Converted converted =
          convert(
              table, schema, sourceColumnOf, feature.getName(), feature.getValueType(), "feature");
      columns.add(converted.value.as(feature.getName()));
      wrongTypes.add(converted.wrongType);
    }

    String eventColumn = source.getEventTimestampColumn();
    if (eventColumn.isBlank()) {
      throw new IllegalArgumentException(
          "feature table '" + table.getName() + "': the source names no event_timestamp_column");
    }
    Column eventRaw = column(field(table, schema, eventColumn, "event_timestamp_column"));
    Column event = timestamp(table, schema, eventColumn, eventRaw);
    columns.add(event.as(EVENT_TIMESTAMP));
    wrongTypes.add(eventRaw.isNotNull().and(event.isNull()));

    String createdColumn = source.getCreatedTimestampColumn();
    if (createdColumn.isBlank()) {
      columns.add(lit(null).cast(DataTypes.TimestampType).as(CREATED_TIMESTAMP));
    } else {
      Column createdRaw = column(field(table, schema, createdColumn, "created_timestamp_column"));
      Column created = timestamp(table, schema, createdColumn, createdRaw);
      columns.add(created.as(CREATED_TIMESTAMP));
      wrongTypes.add(createdRaw.isNotNull().and(created.isNull()));
    }

    Column malformed = hasMalformedLines ? col(MALFORMED_LINE).isNotNull() : lit(false);
    Column reject =
        when(malformed, lit(MALFORMED))
            .when(any(entityNulls), lit(NULL_ENTITY))
            .when(eventRaw.isNull(), lit(NULL_TIMESTAMP))
            .when(any(wrongTypes), lit(WRONG_TYPE))
            .otherwise(lit(null).cast(DataTypes.StringType));
    columns.add(reject.as(REJECT));
    keep.forEach(name -> columns.add(column(name)));
    if (sourceRows) {
      List<Column> sourceColumns = new ArrayList<>();
      for (String name : schema.fieldNames()) {
        if (!name.equals(MALFORMED_LINE)) {
          sourceColumns.add(column(name));
        }
      }
      Column asRead = to_json(struct(sourceColumns.toArray(Column[]::new)));
      if (hasMalformedLines) {
        asRead = coalesce(col(MALFORMED_LINE), asRead);
      }
      // CASE WHEN evaluates its value only for matching rows: usable rows cost no JSON.
      columns.add(when(reject.isNotNull(), asRead).as(SOURCE_ROW));
    }

    Dataset<Row> rows = raw.select(columns.toArray(Column[]::new));
    // Rows without a usable time stay, so they are counted as rejected rather than lost.
    Column time = col(EVENT_TIMESTAMP);
    if (start != null) {
      rows = rows.where(time.isNull().or(time.geq(lit(java.sql.Timestamp.from(start)))));
    }
    if (end != null) {
      rows = rows.where(time.isNull().or(time.lt(lit(java.sql.Timestamp.from(end)))));
    }
    return rows;
  }

  /** A source column converted to its declared type, with what tells a wrong value. */
  private record Converted(Column raw, Column value, Column wrongType) {}

  private static Converted convert(
      FeatureTableSpec table,
      StructType schema,
      Map<String, String> sourceColumnOf,
      String name,
      ValueType.Enum type,
      String kind) {
    String column = sourceColumnOf.getOrDefault(name, name);
    StructField field = schema.apply(field(table, schema, column, kind + " '" + name + "'"));
    Column raw = column(field.name());
    DataType target = SparkTypes.of(type);
    DataType actual = field.dataType();
    Column value;
    Column wrong = lit(false);
    if (actual.equals(target)) {
      value = raw;
    } else if (actual.equals(DataTypes.StringType)) {
      // Text (CSV): parse per row; what does not parse is a wrong value, not a job failure.
      value = raw.try_cast(target);
      wrong = raw.isNotNull().and(value.isNull());
    } else if (widens(actual, target)) {
      value = raw.cast(target);
    } else {
      throw new IllegalArgumentException(
          "feature table '%s': %s '%s' is declared %s but source column '%s' is %s"
              .formatted(table.getName(), kind, name, type, column, actual.simpleString()));
    }
    if (target instanceof ArrayType) {
      // A list value cannot hold a null element.
      wrong = wrong.or(value.isNotNull().and(exists(value, Column::isNull)));
    }
    return new Converted(raw, value, wrong);
  }

  /** Lossless numeric widening: int → long, float → double and the like. */
  private static boolean widens(DataType from, DataType to) {
    List<DataType> integral =
        Arrays.asList(
            DataTypes.ByteType, DataTypes.ShortType, DataTypes.IntegerType, DataTypes.LongType);
    if (integral.contains(from) && integral.contains(to)) {
      return integral.indexOf(from) <= integral.indexOf(to);
    }
    if (to.equals(DataTypes.DoubleType)) {
      return from.equals(DataTypes.FloatType)
          || from.equals(DataTypes.ByteType)
          || from.equals(DataTypes.ShortType)
          || from.equals(DataTypes.IntegerType);
    }
    if (from instanceof ArrayType a && to instanceof ArrayType b) {
      return widens(a.elementType(), b.elementType());
    }
    return false;
  }

  /** Event and created times: see {@link #toTimestamp}; refused up front for other types. */
  private static Column timestamp(
      FeatureTableSpec table, StructType schema, String column, Column raw) {
    DataType type = schema.apply(column).dataType();
    Column timestamp = toTimestamp(type, raw);
    if (timestamp == null) {
      throw new IllegalArgumentException(
          "feature table '%s': timestamp column '%s' is %s (%s)"
              .formatted(table.getName(), column, type.simpleString(), TIMESTAMP_FORMS));
    }
    return timestamp;
  }

  /** What {@link #toTimestamp} accepts, for error messages. */
  public static final String TIMESTAMP_FORMS =
      "expected a timestamp, date, ISO-8601 text, or epoch seconds as a number or numeric text";

  /**
   * A time column of {@code type} as a timestamp: timestamps and dates as they are; text that is a
   * plain number as epoch seconds (JSON messages and CSV files carry either), other text as
   * ISO-8601; numbers as epoch seconds. Text that is neither becomes null (the row is rejected, not
   * failed). Null when {@code type} can hold no time at all.
   */
  public static Column toTimestamp(DataType type, Column raw) {
    if (type.equals(DataTypes.TimestampType)) {
      return raw;
    }
    if (type.equals(DataTypes.TimestampNTZType) || type.equals(DataTypes.DateType)) {
      return raw.cast(DataTypes.TimestampType);
    }
    if (type.equals(DataTypes.StringType)) {
      return when(
              // Spark's JSON reader gives a fractional JSON number as text like 1.7962369401E9.
              raw.rlike("^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"),
              timestamp_seconds(raw.cast(DataTypes.createDecimalType(24, 6))))
          .otherwise(try_to_timestamp(raw));
    }
    if (type instanceof NumericType) {
      return timestamp_seconds(raw);
    }
    return null;
  }

  private static String field(
      FeatureTableSpec table, StructType schema, String column, String what) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException(
          "feature table '%s': source has no column '%s' for %s (columns: %s)"
              .formatted(table.getName(), column, what, String.join(", ", schema.fieldNames())));
    }
    return column;
  }

  private static Column any(List<Column> conditions) {
    return conditions.stream().reduce(Column::or).orElse(lit(false));
  }

  /** A column by its exact name: source headers may hold dots, spaces or backticks. */
  public static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  private static String isoDate(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  /** Canonical column names in order, for writers that address columns by position. */
  public static List<String> columns(FeatureTableSpec table) {
    Map<String, Boolean> names = new LinkedHashMap<>();
    table.getEntitiesList().forEach(e -> names.put(e, true));
    table.getFeaturesList().forEach(f -> names.put(f.getName(), true));
    names.put(EVENT_TIMESTAMP, true);
    names.put(CREATED_TIMESTAMP, true);
    names.put(REJECT, true);
    return List.copyOf(names.keySet());
  }
}
