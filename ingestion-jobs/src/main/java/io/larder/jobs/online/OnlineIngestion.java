package io.larder.jobs.online;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;

import io.larder.jobs.source.FeatureSource;
import io.larder.onlinestore.OnlineLayout;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.JobsProto.RedisTarget;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The online-store write path shared by batch and stream ingestion: the newest row per entity key,
 * written in the table's layout (label {@code larder.io/online-layout}) so that it never replaces a
 * newer stored row (see newest-wins.lua and packed-newest-wins.lua).
 */
public final class OnlineIngestion {

  /** Entities per pipeline when the target names none: large enough to hide round trips. */
  static final int DEFAULT_PIPELINE_SIZE = 500;

  private static final String NEWEST = "_newest";
  private static final String ROW_COUNT = "_rows";

  /**
   * What a write did.
   *
   * @param written entity rows written to the online store
   * @param notNewer rows not written: an equal or newer event time was stored or in the same batch
   */
  public record WriteCounts(long written, long notNewer) {}

  private OnlineIngestion() {}

  /**
   * Writes the newest of {@code canonicalValidRows} per entity key (event time, then created time;
   * a row without created time loses a tie) into the online store.
   *
   * @param canonicalValidRows rows as {@link FeatureSource} makes them, rejected rows removed
   */
  public static WriteCounts write(
      Dataset<Row> canonicalValidRows,
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      RedisTarget redis) {
    return write(canonicalValidRows, project, table, entities, redis, null);
  }

  /**
   * As {@link #write(Dataset, String, FeatureTableSpec, List, RedisTarget)}, told whether the rows
   * hold one row per entity key when the caller already knows (null: find out).
   */
  public static WriteCounts write(
      Dataset<Row> canonicalValidRows,
      String project,
      FeatureTableSpec table,
      List<EntitySpecV2> entities,
      RedisTarget redis,
      Boolean oneRowPerKey) {
    OnlineWritePlan plan = plan(project, table, entities, redis);
    List<long[]> perPartition =
        newestPerEntity(canonicalValidRows, table, oneRowPerKey)
            .toJavaRDD()
            .mapPartitions(plan::writePartition)
            .collect();
    long written = 0;
    long notNewer = 0;
    for (long[] counts : perPartition) {
      written += counts[0];
      notNewer += counts[1];
    }
    return new WriteCounts(written, notNewer);
  }

  /** The entity key columns of a table's canonical rows, in key order. */
  public static List<Column> keyColumns(FeatureTableSpec table) {
    List<Column> keys = new ArrayList<>();
    table.getEntitiesList().forEach(entity -> keys.add(FeatureSource.column(entity)));
    return keys;
  }

  /**
   * One row per entity key: the entity columns, then the newest row's event time, created time and
   * features, then how many rows the key had. One groupBy (one shuffle, no global sort): the max of
   * a struct compares its fields in order, and null sorts lowest, so a missing created time loses a
   * tie; the remaining fields only make the pick deterministic. Spark plans it as a SortAggregate
   * (a struct buffer is not hash-aggregatable): rows sort within each partition.
   */
  static Dataset<Row> newestPerEntity(
      Dataset<Row> rows, FeatureTableSpec table, Boolean oneRowPerKey) {
    List<Column> keys = keyColumns(table);
    List<String> ordered = new ArrayList<>();
    ordered.add(FeatureSource.EVENT_TIMESTAMP);
    ordered.add(FeatureSource.CREATED_TIMESTAMP);
    table.getFeaturesList().forEach(feature -> ordered.add(feature.getName()));
    if (oneRowPerKey == null) {
      // One cheap hash aggregate first: rows with one row per key (a snapshot) skip the sort below.
      Row sizes =
          rows.agg(
                  count(lit(1)),
                  count_distinct(keys.get(0), keys.subList(1, keys.size()).toArray(Column[]::new)))
              .first();
      oneRowPerKey = sizes.getLong(0) == sizes.getLong(1);
    }
    if (oneRowPerKey) {
      List<Column> asIs = new ArrayList<>(keys);
      ordered.forEach(name -> asIs.add(FeatureSource.column(name)));
      asIs.add(lit(1L).as(ROW_COUNT));
      return rows.select(asIs.toArray(Column[]::new));
    }
    // Positional struct field names: a feature may be named like anything.
    List<Column> newestFields = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      newestFields.add(FeatureSource.column(ordered.get(i)).as("f" + i));
    }
    Dataset<Row> grouped =
        rows.groupBy(keys.toArray(Column[]::new))
            .agg(
                max(struct(newestFields.toArray(Column[]::new))).as(NEWEST),
                count(lit(1)).as(ROW_COUNT));
    List<Column> output = new ArrayList<>(keys);
    for (int i = 0; i < ordered.size(); i++) {
      output.add(col(NEWEST).getField("f" + i).as(ordered.get(i)));
    }
    output.add(col(ROW_COUNT));
    return grouped.select(output.toArray(Column[]::new));
  }

  static OnlineWritePlan plan(
      String project, FeatureTableSpec table, List<EntitySpecV2> entities, RedisTarget redis) {
    if (redis.getUri().isBlank()) {
      throw new IllegalArgumentException("redis.uri is required");
    }
    if (redis.getPipelineSize() < 0) {
      throw new IllegalArgumentException(
          "redis.pipeline_size must not be negative: " + redis.getPipelineSize());
    }
    Map<String, ValueType.Enum> entityTypes = new HashMap<>();
    entities.forEach(entity -> entityTypes.put(entity.getName(), entity.getValueType()));
    List<ValueType.Enum> keyTypes = new ArrayList<>();
    for (String entity : table.getEntitiesList()) {
      ValueType.Enum type = entityTypes.get(entity);
      if (type == null) {
        throw new IllegalArgumentException(
            "feature table '" + table.getName() + "': no spec given for entity '" + entity + "'");
      }
      keyTypes.add(type);
    }
    return new OnlineWritePlan(
        project == null || project.isBlank() ? "default" : project,
        table.getName(),
        table.getEntitiesList(),
        keyTypes,
        table.getFeaturesList().stream().map(FeatureSpecV2::getName).toList(),
        table.getFeaturesList().stream().map(FeatureSpecV2::getValueType).toList(),
        table.getMaxAge().getSeconds(),
        table.getMaxAge().getNanos(),
        OnlineLayout.of(table.getLabelsMap()),
        RedisAccess.of(redis),
        redis.getPipelineSize() == 0 ? DEFAULT_PIPELINE_SIZE : redis.getPipelineSize());
  }
}
