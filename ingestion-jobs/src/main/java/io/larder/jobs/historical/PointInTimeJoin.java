package io.larder.jobs.historical;

import static org.apache.spark.sql.functions.col;

import io.larder.jobs.historical.RetrievalPlan.KeyGroup;
import io.larder.jobs.historical.RetrievalPlan.TableRequest;
import io.larder.jobs.source.FeatureSource;
import io.larder.proto.core.FeatureProto.FeatureSpecV2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The point-in-time join of entity rows with the tables of one entity-key group: hash shuffles and
 * no sort.
 *
 * <p>Entity rows and each table's feature rows are hash-partitioned by entity key into the same
 * number of partitions, so a key's rows meet in one task, where {@link PartitionJoin} reads each
 * table's rows once and matches them against the partition's entity rows. (A window per key ordered
 * by time spent most of its time sorting the rows of each key; a key-equi-join-then-rank plan grows
 * with entity rows × feature rows per key; pruning feature rows before the shuffle against
 * broadcast entity times cost more in random lookups than it saved.)
 */
final class PointInTimeJoin {

  /** Feature-row bytes (estimated, as read) per join partition. */
  static final String PARTITION_BYTES = "spark.larder.historical.partitionBytes";

  static final String DEFAULT_PARTITION_BYTES = "32m";

  /** Entity rows a join task holds at most, which sets the least number of partitions. */
  private static final long ENTITY_ROWS_PER_PARTITION = 500_000L;

  private static final Logger log = LoggerFactory.getLogger(PointInTimeJoin.class);

  private PointInTimeJoin() {}

  /**
   * Adds one column per requested feature of {@code group}'s tables to {@code entityRows}.
   *
   * @param entityRows every entity-source column plus earlier groups' features; the group's keys
   *     and {@code event_timestamp} typed
   * @param entityRowCount how many entity rows there are
   * @param featureRows per table of the group (same order), valid canonical rows: the keys, {@code
   *     event_timestamp}, {@code created_timestamp} and the requested features
   * @param knownAsOfEntityTime a feature row becomes visible at max(event ts, created ts) instead
   *     of at its event ts
   */
  static Dataset<Row> join(
      Dataset<Row> entityRows,
      long entityRowCount,
      KeyGroup group,
      List<Dataset<Row>> featureRows,
      boolean knownAsOfEntityTime) {
    SparkSession spark = (SparkSession) entityRows.sparkSession();
    List<String> keys = group.keys();
    StructType schema = entityRows.schema();
    int[] keyOrdinals = keys.stream().mapToInt(schema::fieldIndex).toArray();
    int timeOrdinal = schema.fieldIndex(HistoricalRetrievalJob.EVENT_TIMESTAMP);
    DataType[] keyTypes =
        Arrays.stream(keyOrdinals)
            .mapToObj(i -> schema.fields()[i].dataType())
            .toArray(DataType[]::new);

    List<Dataset<Row>> tableRows = new ArrayList<>();
    for (int t = 0; t < featureRows.size(); t++) {
      tableRows.add(inLayout(featureRows.get(t), keys, keyTypes, group.tables().get(t)));
    }
    int partitions = partitions(spark, entityRowCount, tableRows);
    log.info(
        "point-in-time join of {} entity rows with tables {} keyed by {}: {} partitions",
        entityRowCount,
        group.tables().stream().map(table -> table.table().getName()).toList(),
        keys,
        partitions);

    JavaRDD<InternalRow> entityPartitions =
        internalRows(entityRows.repartition(partitions, keyColumns(keys))).toJavaRDD();
    JavaRDD<List<Iterator<InternalRow>>> featurePartitions = null;
    FeatureRows[] layouts = new FeatureRows[tableRows.size()];
    long[] maxAgeMicros = new long[tableRows.size()];
    List<StructField> outputFields = new ArrayList<>(Arrays.asList(schema.fields()));
    for (int t = 0; t < tableRows.size(); t++) {
      TableRequest request = group.tables().get(t);
      Dataset<Row> rows = tableRows.get(t);
      StructField[] fields = rows.schema().fields();
      DataType[] featureTypes =
          Arrays.stream(fields, keys.size() + 2, fields.length)
              .map(StructField::dataType)
              .toArray(DataType[]::new);
      layouts[t] = new FeatureRows(keyTypes, featureTypes, knownAsOfEntityTime);
      maxAgeMicros[t] = request.maxAgeMicros();
      List<FeatureSpecV2> features = request.features();
      for (int f = 0; f < features.size(); f++) {
        outputFields.add(
            DataTypes.createStructField(
                request.outputColumn(features.get(f)), featureTypes[f], true));
      }
      JavaRDD<InternalRow> table =
          internalRows(rows.repartition(partitions, keyColumns(keys))).toJavaRDD();
      featurePartitions =
          featurePartitions == null
              ? table.mapPartitions(PointInTimeJoin::streams)
              : featurePartitions.zipPartitions(table, PointInTimeJoin::withStream);
    }
    PartitionJoin partitionJoin =
        new PartitionJoin(
            Arrays.stream(schema.fields()).map(StructField::dataType).toArray(DataType[]::new),
            keyOrdinals,
            timeOrdinal,
            layouts,
            maxAgeMicros);
    // Partition i of every side holds the same keys: the join needs no further shuffle.
    RDD<InternalRow> joined =
        entityPartitions.zipPartitions(featurePartitions, partitionJoin).rdd();
    StructType joinedSchema = DataTypes.createStructType(outputFields);
    return spark.internalCreateDataFrame(joined, joinedSchema, false);
  }

  /**
   * A partition's first table stream, handed on unread: partitions of several shuffles are zipped
   * into one task, which then reads each stream in turn.
   */
  private static Iterator<List<Iterator<InternalRow>>> streams(Iterator<InternalRow> table) {
    List<Iterator<InternalRow>> streams = new ArrayList<>();
    streams.add(table);
    return List.of(streams).iterator();
  }

  private static Iterator<List<Iterator<InternalRow>>> withStream(
      Iterator<List<Iterator<InternalRow>>> streams, Iterator<InternalRow> table) {
    List<Iterator<InternalRow>> more = streams.next();
    more.add(table);
    return List.of(more).iterator();
  }

  /** A table's rows in the {@link FeatureRows} layout. */
  private static Dataset<Row> inLayout(
      Dataset<Row> rows, List<String> keys, DataType[] keyTypes, TableRequest request) {
    List<Column> columns = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      // Same types on both sides, or the two shuffles would hash one key differently.
      columns.add(column(keys.get(k)).cast(keyTypes[k]).as(keys.get(k)));
    }
    columns.add(col(HistoricalRetrievalJob.EVENT_TIMESTAMP));
    columns.add(col(HistoricalRetrievalJob.CREATED_TIMESTAMP));
    request.features().forEach(feature -> columns.add(column(feature.getName())));
    return rows.select(columns.toArray(Column[]::new));
  }

  /**
   * One partition per {@value #PARTITION_BYTES} (default {@value #DEFAULT_PARTITION_BYTES}) of the
   * feature rows' estimated size, at least the cluster's parallelism, at most {@code
   * spark.sql.shuffle.partitions}; and always enough that no task holds more than {@value
   * #ENTITY_ROWS_PER_PARTITION} entity rows (a task keeps its entity rows in memory). Every side of
   * the join needs the same count, which AQE's coalescing of separate shuffles would not keep; a
   * join task's state grows with its share of the rows, and it runs faster while that stays in the
   * CPU's caches.
   */
  private static int partitions(
      SparkSession spark, long entityRowCount, List<Dataset<Row>> tableRows) {
    double featureBytes = 0;
    for (Dataset<Row> rows : tableRows) {
      featureBytes +=
          ((org.apache.spark.sql.classic.Dataset<Row>) rows)
              .queryExecution()
              .optimizedPlan()
              .stats()
              .sizeInBytes()
              .doubleValue();
    }
    long partitionBytes =
        JavaUtils.byteStringAsBytes(spark.conf().get(PARTITION_BYTES, DEFAULT_PARTITION_BYTES));
    long bySize =
        Math.min(
            Math.max(
                (long) Math.ceil(featureBytes / partitionBytes),
                spark.sparkContext().defaultParallelism()),
            spark.sessionState().conf().numShufflePartitions());
    long byEntityRows =
        (entityRowCount + ENTITY_ROWS_PER_PARTITION - 1) / ENTITY_ROWS_PER_PARTITION;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(bySize, byEntityRows));
  }

  private static Column[] keyColumns(List<String> keys) {
    return keys.stream().map(PointInTimeJoin::column).toArray(Column[]::new);
  }

  /** The rows of a plan as Spark holds them: the join reads millions without converting any. */
  private static RDD<InternalRow> internalRows(Dataset<Row> rows) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) rows).queryExecution().toRdd();
  }

  /** A column by its exact name: entity-source headers may hold dots or spaces. */
  static Column column(String name) {
    return FeatureSource.column(name);
  }
}
