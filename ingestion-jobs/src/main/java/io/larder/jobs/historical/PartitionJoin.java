package io.larder.jobs.historical;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The point-in-time join of one hash partition: its entity rows, indexed by entity key and sorted
 * by event time, against one pass over each table's feature rows of the partition.
 *
 * <p>A feature row lands in the interval of the first entity row of its key that can see it, and
 * each interval keeps only its best row per table (as {@code max(struct(event ts, created ts,
 * features))} orders them); a running best over a key's intervals then is, at every entity row, the
 * latest row it can see. Memory holds the partition's entity rows and at most one feature row per
 * entity row and table; nothing is sorted but each key's few entity rows. Output: each entity row
 * with every table's features appended (null when no row is visible or the best one is past the
 * table's max_age).
 */
final class PartitionJoin
    implements FlatMapFunction2<
        Iterator<InternalRow>, Iterator<List<Iterator<InternalRow>>>, InternalRow> {

  private static final long serialVersionUID = 1L;

  private final DataType[] entityTypes;
  private final int[] entityKeyOrdinals;
  private final int entityTimeOrdinal;
  private final FeatureRows[] tables;
  private final long[] maxAgeMicros;

  /**
   * @param entityTypes the entity rows' column types, output first in this order
   * @param entityKeyOrdinals where the keys sit in an entity row (key order)
   * @param tables per table, its feature rows' layout
   * @param maxAgeMicros per table, its max_age; 0 = none
   */
  PartitionJoin(
      DataType[] entityTypes,
      int[] entityKeyOrdinals,
      int entityTimeOrdinal,
      FeatureRows[] tables,
      long[] maxAgeMicros) {
    this.entityTypes = entityTypes;
    this.entityKeyOrdinals = entityKeyOrdinals;
    this.entityTimeOrdinal = entityTimeOrdinal;
    this.tables = tables;
    this.maxAgeMicros = maxAgeMicros;
  }

  /**
   * @param entities the partition's entity rows
   * @param featureStreams one element: per table (in order), the partition's feature rows
   */
  @Override
  public Iterator<InternalRow> call(
      Iterator<InternalRow> entities, Iterator<List<Iterator<InternalRow>>> featureStreams) {
    KeyTimeIndex index =
        new KeyTimeIndex(
            entities,
            FeatureRows.keyProjection(entityKeyOrdinals, tables[0].keyTypes()),
            entityTimeOrdinal);
    List<Iterator<InternalRow>> streams = featureStreams.next();
    BestRows[] best = new BestRows[tables.length];
    for (int t = 0; t < tables.length; t++) {
      best[t] = new BestRows(index, tables[t], maxAgeMicros[t]);
      best[t].offerAll(streams.get(t));
    }
    return new Output(index, best);
  }

  /**
   * Every entity row once, with its features: keyed ones with each table's running best, then the
   * ones without event time. Rows come from one reused buffer, as Spark's operators hand them on.
   */
  private final class Output implements Iterator<InternalRow> {
    private final KeyTimeIndex index;
    private final BestRows[] best;
    private final Iterator<InternalRow> timeless;
    private final UnsafeProjection project = outputProjection();
    private final InternalRow[] noFeatures = new InternalRow[tables.length];
    private final int[] running = new int[tables.length]; // position of the best so far; -1
    private final InternalRow[] visible = new InternalRow[tables.length];
    private final JoinedRow[] joins = new JoinedRow[tables.length];
    private int at;
    private int key;

    Output(KeyTimeIndex index, BestRows[] best) {
      this.index = index;
      this.best = best;
      this.timeless = index.timeless.iterator();
      for (int t = 0; t < tables.length; t++) {
        noFeatures[t] = new GenericInternalRow(tables[t].width());
        joins[t] = new JoinedRow();
      }
    }

    @Override
    public boolean hasNext() {
      return at < index.rows.length || timeless.hasNext();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (at == index.rows.length) {
        return project.apply(joined(timeless.next(), noFeatures));
      }
      if (at == index.keyStart[key + 1] || at == 0) {
        while (at == index.keyStart[key + 1]) {
          key++;
        }
        Arrays.fill(running, -1);
      }
      long entityTime = index.times[at];
      for (int t = 0; t < tables.length; t++) {
        if (best[t].rows[at] != null && (running[t] < 0 || best[t].beats(at, running[t]))) {
          running[t] = at;
        }
        boolean fresh =
            running[t] >= 0
                && (maxAgeMicros[t] == 0
                    || best[t].event[running[t]] >= entityTime - maxAgeMicros[t]);
        visible[t] = fresh ? best[t].rows[running[t]] : noFeatures[t];
      }
      return project.apply(joined(index.rows[at++], visible));
    }

    /** The entity row followed by every table's feature row, without copying any. */
    private InternalRow joined(InternalRow entity, InternalRow[] features) {
      InternalRow tail = features[features.length - 1];
      for (int t = features.length - 2; t >= 0; t--) {
        tail = joins[t + 1].apply(features[t], tail);
      }
      return joins[0].apply(entity, tail);
    }
  }

  /** Entity columns, then each table's features, of (entity row, feature row per table). */
  private UnsafeProjection outputProjection() {
    List<Expression> columns = new ArrayList<>();
    for (int i = 0; i < entityTypes.length; i++) {
      columns.add(new BoundReference(i, entityTypes[i], true));
    }
    int offset = entityTypes.length;
    for (FeatureRows table : tables) {
      DataType[] featureTypes = table.featureTypes();
      for (int f = 0; f < featureTypes.length; f++) {
        columns.add(
            new BoundReference(offset + table.firstFeatureOrdinal() + f, featureTypes[f], true));
      }
      offset += table.width();
    }
    return UnsafeProjection.create(CollectionConverters.asScala(columns).toSeq());
  }
}
