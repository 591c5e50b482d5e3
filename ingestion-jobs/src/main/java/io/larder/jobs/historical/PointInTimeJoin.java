package io.larder.jobs.historical;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.larder.jobs.historical.RetrievalPlan.KeyGroup;
import io.larder.jobs.historical.RetrievalPlan.TableRequest;
import io.larder.jobs.source.FeatureSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;

/**
 * The point-in-time join of entity rows with the tables of one entity-key group, as one sort.
 *
 * <p>Entity rows and feature rows are unioned and ordered per entity key by the time a feature row
 * becomes visible, feature rows before entity rows at equal times; a running {@code max} of (event
 * ts, created ts, features) per table then is, at each entity row, the latest visible feature row
 * with ties broken by created ts. This avoids the key-equi-join-then-rank plan, whose intermediate
 * size is entity rows × feature rows per key.
 */
final class PointInTimeJoin {

  static final String INTERNAL_PREFIX = "_pit_";
  private static final String VISIBLE_TIME = INTERNAL_PREFIX + "visible_time";
  private static final String KIND = INTERNAL_PREFIX + "kind";
  private static final String ENTITY_ROW = INTERNAL_PREFIX + "entity_row";
  private static final int FEATURE_ROW = 0;
  private static final int ENTITY = 1;
  // Struct field names inside a table's candidate; positional so feature names cannot clash.
  private static final String EVENT_TS_FIELD = "event_ts";
  private static final String CREATED_TS_FIELD = "created_ts";

  private PointInTimeJoin() {}

  /**
   * Adds one column per requested feature of {@code group}'s tables to {@code entityRows}.
   *
   * @param entityRows every entity-source column plus earlier groups' features; the group's keys
   *     and {@code event_timestamp} typed
   * @param featureRows per table of the group (same order), valid canonical rows: the keys, {@code
   *     event_timestamp}, {@code created_timestamp} and the requested features
   * @param knownAsOfEntityTime a feature row becomes visible at max(event ts, created ts) instead
   *     of at its event ts
   */
  static Dataset<Row> join(
      Dataset<Row> entityRows,
      KeyGroup group,
      List<Dataset<Row>> featureRows,
      boolean knownAsOfEntityTime) {
    List<String> keys = group.keys();
    Set<String> keySet = new HashSet<>(keys);
    List<String> entityColumns = Arrays.asList(entityRows.columns());
    // Keys travel once, at top level; everything else of the entity row rides in one struct.
    List<String> carried = entityColumns.stream().filter(c -> !keySet.contains(c)).toList();
    List<TableRequest> tables = group.tables();

    List<Column> candidates = tables.stream().map(PointInTimeJoin::candidate).toList();
    List<DataType> candidateTypes = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      candidateTypes.add(typeOf(featureRows.get(i), candidates.get(i)));
    }
    Column entityRow = struct(carried.stream().map(PointInTimeJoin::column).toArray(Column[]::new));
    DataType entityRowType = typeOf(entityRows, entityRow);

    List<Column> entitySide = new ArrayList<>();
    keys.forEach(key -> entitySide.add(column(key)));
    entitySide.add(column(HistoricalRetrievalJob.EVENT_TIMESTAMP).as(VISIBLE_TIME));
    entitySide.add(lit(ENTITY).as(KIND));
    entitySide.add(entityRow.as(ENTITY_ROW));
    for (int i = 0; i < tables.size(); i++) {
      entitySide.add(lit(null).cast(candidateTypes.get(i)).as(candidateColumn(i)));
    }
    Dataset<Row> union = entityRows.select(entitySide.toArray(Column[]::new));

    for (int i = 0; i < tables.size(); i++) {
      List<Column> featureSide = new ArrayList<>();
      keys.forEach(key -> featureSide.add(column(key)));
      Column eventTs = col(HistoricalRetrievalJob.EVENT_TIMESTAMP);
      Column visible =
          knownAsOfEntityTime
              // greatest skips nulls: a row without created ts is known at its event time.
              ? greatest(eventTs, col(HistoricalRetrievalJob.CREATED_TIMESTAMP))
              : eventTs;
      featureSide.add(visible.as(VISIBLE_TIME));
      featureSide.add(lit(FEATURE_ROW).as(KIND));
      featureSide.add(lit(null).cast(entityRowType).as(ENTITY_ROW));
      for (int j = 0; j < tables.size(); j++) {
        featureSide.add(
            j == i
                ? candidates.get(i).as(candidateColumn(j))
                : lit(null).cast(candidateTypes.get(j)).as(candidateColumn(j)));
      }
      union = union.union(featureRows.get(i).select(featureSide.toArray(Column[]::new)));
    }

    // ROWS frame: a running aggregate, one pass over each sorted key partition.
    WindowSpec upToHere =
        Window.partitionBy(keys.stream().map(PointInTimeJoin::column).toArray(Column[]::new))
            .orderBy(col(VISIBLE_TIME).asc_nulls_first(), col(KIND).asc())
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    List<Column> running = new ArrayList<>();
    keys.forEach(key -> running.add(column(key)));
    running.add(col(VISIBLE_TIME));
    running.add(col(KIND));
    running.add(col(ENTITY_ROW));
    for (int i = 0; i < tables.size(); i++) {
      running.add(max(col(candidateColumn(i))).over(upToHere).as(candidateColumn(i)));
    }
    Dataset<Row> atEntityRows =
        union.select(running.toArray(Column[]::new)).where(col(KIND).equalTo(ENTITY));

    List<Column> output = new ArrayList<>();
    for (String name : entityColumns) {
      output.add(keySet.contains(name) ? column(name) : col(ENTITY_ROW).getField(name).as(name));
    }
    for (int i = 0; i < tables.size(); i++) {
      TableRequest request = tables.get(i);
      Column candidate = col(candidateColumn(i));
      Column tooOld =
          request.maxAgeMicros() > 0
              ? unix_micros(candidate.getField(EVENT_TS_FIELD))
                  .lt(unix_micros(col(VISIBLE_TIME)).minus(lit(request.maxAgeMicros())))
              : lit(false);
      List<FeatureSpecV2> features = request.features();
      for (int f = 0; f < features.size(); f++) {
        output.add(
            when(tooOld, lit(null))
                .otherwise(candidate.getField(featureField(f)))
                .as(request.outputColumn(features.get(f))));
      }
    }
    return atEntityRows.select(output.toArray(Column[]::new));
  }

  /** A column by its exact name: entity-source headers may hold dots or spaces. */
  static Column column(String name) {
    return FeatureSource.column(name);
  }

  private static DataType typeOf(Dataset<Row> rows, Column expression) {
    return rows.select(expression).schema().fields()[0].dataType();
  }

  private static Column candidate(TableRequest request) {
    List<Column> fields = new ArrayList<>();
    fields.add(col(HistoricalRetrievalJob.EVENT_TIMESTAMP).as(EVENT_TS_FIELD));
    fields.add(col(HistoricalRetrievalJob.CREATED_TIMESTAMP).as(CREATED_TS_FIELD));
    List<FeatureSpecV2> features = request.features();
    for (int f = 0; f < features.size(); f++) {
      fields.add(col(features.get(f).getName()).as(featureField(f)));
    }
    return struct(fields.toArray(Column[]::new));
  }

  private static String candidateColumn(int table) {
    return INTERNAL_PREFIX + "candidate_" + table;
  }

  private static String featureField(int feature) {
    return "f" + feature;
  }
}
