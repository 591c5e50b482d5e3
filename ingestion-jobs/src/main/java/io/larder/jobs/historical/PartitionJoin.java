package io.larder.jobs.historical;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.InterpretedOrdering;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The point-in-time join of one hash partition with one table: the partition's entity rows, indexed
 * by entity key and sorted by event time, against one pass over its feature rows.
 *
 * <p>A feature row lands in the interval of the first entity row of its key that can see it, and
 * each interval keeps only its best row (as {@code max(struct(event ts, created ts, features))}
 * orders them); a running best over the intervals then is, at every entity row, the latest row it
 * can see. Memory holds the partition's entity rows and at most one feature row per entity row;
 * nothing is sorted but each key's few entity rows. Output: each entity row with the table's
 * features appended (null when no row is visible or the best one is past max_age).
 */
final class PartitionJoin
    implements FlatMapFunction2<Iterator<InternalRow>, Iterator<InternalRow>, InternalRow> {

  private static final long serialVersionUID = 1L;

  private final DataType[] entityTypes;
  private final int[] entityKeyOrdinals;
  private final int entityTimeOrdinal;
  private final FeatureRows layout;
  private final long maxAgeMicros;

  /**
   * @param entityTypes the entity rows' column types, output first in this order
   * @param entityKeyOrdinals where the table's keys sit in an entity row (key order)
   * @param maxAgeMicros the table's max_age; 0 = none
   */
  PartitionJoin(
      DataType[] entityTypes,
      int[] entityKeyOrdinals,
      int entityTimeOrdinal,
      FeatureRows layout,
      long maxAgeMicros) {
    this.entityTypes = entityTypes;
    this.entityKeyOrdinals = entityKeyOrdinals;
    this.entityTimeOrdinal = entityTimeOrdinal;
    this.layout = layout;
    this.maxAgeMicros = maxAgeMicros;
  }

  @Override
  public Iterator<InternalRow> call(
      Iterator<InternalRow> entities, Iterator<InternalRow> features) {
    UnsafeProjection entityKey = FeatureRows.keyProjection(entityKeyOrdinals, layout.keyTypes());
    Map<UnsafeRow, KeyRows> byKey = new HashMap<>();
    List<InternalRow> timeless = new ArrayList<>();
    while (entities.hasNext()) {
      // Readers reuse their row object: whatever is kept is copied.
      InternalRow row = entities.next().copy();
      if (row.isNullAt(entityTimeOrdinal)) {
        timeless.add(row);
        continue;
      }
      UnsafeRow key = entityKey.apply(row);
      KeyRows rows = byKey.get(key);
      if (rows == null) {
        rows = new KeyRows();
        byKey.put(key.copy(), rows);
      }
      rows.add(row);
    }
    byKey.values().forEach(rows -> rows.sortByTime(entityTimeOrdinal));

    UnsafeProjection featureKey = layout.keyProjection();
    InterpretedOrdering featureOrdering = layout.featureOrdering();
    while (features.hasNext()) {
      InternalRow row = features.next();
      KeyRows rows = byKey.get(featureKey.apply(row));
      if (rows == null) {
        continue;
      }
      int interval = FeatureRows.firstAtOrAfter(rows.times, 0, rows.size(), layout.visible(row));
      if (interval == rows.size()
          || (maxAgeMicros > 0 && layout.event(row) < rows.times[interval] - maxAgeMicros)) {
        continue; // seen by no entity row, or too old for every one that sees it
      }
      InternalRow current = rows.best[interval];
      if (current == null || layout.compare(row, current, featureOrdering) > 0) {
        rows.best[interval] = FeatureRows.keep(row, current);
      }
    }
    return new Output(byKey.values().iterator(), timeless.iterator(), featureOrdering);
  }

  /** Entity columns, then the feature row's features, of a (entity row, feature row) pair. */
  private UnsafeProjection outputProjection() {
    List<Expression> columns = new ArrayList<>();
    for (int i = 0; i < entityTypes.length; i++) {
      columns.add(new BoundReference(i, entityTypes[i], true));
    }
    DataType[] featureTypes = layout.featureTypes();
    for (int f = 0; f < featureTypes.length; f++) {
      columns.add(
          new BoundReference(
              entityTypes.length + layout.firstFeatureOrdinal() + f, featureTypes[f], true));
    }
    return UnsafeProjection.create(CollectionConverters.asScala(columns).toSeq());
  }

  /** One key's entity rows in event-time order, and the best feature row per interval. */
  private static final class KeyRows {
    private final List<InternalRow> rows = new ArrayList<>(4);
    private long[] times;
    private InternalRow[] best;

    void add(InternalRow row) {
      rows.add(row);
    }

    int size() {
      return rows.size();
    }

    void sortByTime(int timeOrdinal) {
      rows.sort(Comparator.comparingLong(row -> row.getLong(timeOrdinal)));
      times = new long[rows.size()];
      for (int i = 0; i < times.length; i++) {
        times[i] = rows.get(i).getLong(timeOrdinal);
      }
      best = new InternalRow[rows.size()];
    }
  }

  /**
   * Every entity row once, with its features: keyed ones with the running best, then the ones
   * without event time. Rows come from one reused buffer, as Spark's own operators hand them on.
   */
  private final class Output implements Iterator<InternalRow> {
    private final Iterator<KeyRows> keys;
    private final Iterator<InternalRow> timeless;
    private final InterpretedOrdering featureOrdering;
    private final UnsafeProjection project = outputProjection();
    private final JoinedRow pair = new JoinedRow();
    private final InternalRow noFeatures = new GenericInternalRow(layout.width());
    private KeyRows current;
    private int position;
    private InternalRow running;

    Output(Iterator<KeyRows> keys, Iterator<InternalRow> timeless, InterpretedOrdering ordering) {
      this.keys = keys;
      this.timeless = timeless;
      this.featureOrdering = ordering;
    }

    @Override
    public boolean hasNext() {
      while ((current == null || position == current.size()) && keys.hasNext()) {
        current = keys.next();
        position = 0;
        running = null;
      }
      return (current != null && position < current.size()) || timeless.hasNext();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (current == null || position == current.size()) {
        return project.apply(pair.apply(timeless.next(), noFeatures));
      }
      InternalRow candidate = current.best[position];
      if (candidate != null
          && (running == null || layout.compare(candidate, running, featureOrdering) > 0)) {
        running = candidate;
      }
      long entityTime = current.times[position];
      InternalRow entity = current.rows.get(position++);
      boolean visible =
          running != null
              && (maxAgeMicros == 0 || layout.event(running) >= entityTime - maxAgeMicros);
      return project.apply(pair.apply(entity, visible ? running : noFeatures));
    }
  }
}
