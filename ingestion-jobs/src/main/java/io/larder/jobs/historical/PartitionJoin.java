package io.larder.jobs.historical;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;
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
    EntityIndex index =
        new EntityIndex(
            entities,
            FeatureRows.keyProjection(entityKeyOrdinals, tables[0].keyTypes()),
            entityTimeOrdinal,
            tables.length);
    List<Iterator<InternalRow>> streams = featureStreams.next();
    InterpretedOrdering[] orderings = new InterpretedOrdering[tables.length];
    for (int t = 0; t < tables.length; t++) {
      orderings[t] = tables[t].featureOrdering();
      keepBest(index, t, streams.get(t), orderings[t]);
    }
    return new Output(index, orderings);
  }

  private void keepBest(
      EntityIndex index,
      int table,
      Iterator<InternalRow> rows,
      InterpretedOrdering featureOrdering) {
    FeatureRows layout = tables[table];
    long maxAge = maxAgeMicros[table];
    InternalRow[] best = index.best[table];
    long[] bestEvent = index.bestEvent[table];
    long[] bestCreated = index.bestCreated[table];
    long[] times = index.times;
    UnsafeProjection keyOf = layout.keyProjection();
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      int key = index.find(keyOf.apply(row));
      if (key < 0) {
        continue;
      }
      int to = index.keyStart[key + 1];
      int at = FeatureRows.firstAtOrAfter(times, index.keyStart[key], to, layout.visible(row));
      long event = layout.event(row);
      if (at == to || (maxAge > 0 && event < times[at] - maxAge)) {
        continue; // seen by no entity row, or too old for every one that sees it
      }
      long created = layout.createdOrLowest(row);
      InternalRow current = best[at];
      // Times side by side in flat arrays: most rows lose without touching the kept row.
      int order =
          current == null
              ? 1
              : FeatureRows.compareTimes(event, created, bestEvent[at], bestCreated[at]);
      if (order == 0) {
        order = featureOrdering.compare(row, current);
      }
      if (order > 0) {
        best[at] = FeatureRows.keep(row, current);
        bestEvent[at] = event;
        bestCreated[at] = created;
      }
    }
  }

  /**
   * The partition's entity rows grouped by key and sorted by time within a key, with an
   * open-addressing table from key bytes to key position: a feature row's lookup touches a few flat
   * arrays instead of a hash map's scattered nodes.
   */
  private static final class EntityIndex {
    final List<InternalRow> timeless = new ArrayList<>();
    final InternalRow[] rows; // by key, then time
    final long[] times; // rows' event times
    final int[] keyStart; // key k's rows: [keyStart[k], keyStart[k + 1])
    final InternalRow[][] best; // [table][row]: the best feature row of row's interval
    final long[][] bestEvent; // [table][row]: its event ts
    final long[][] bestCreated; // [table][row]: its created ts, or Long.MIN_VALUE
    private final int[] slots; // key position + 1; 0 = empty
    private final int[] keyHashes;
    private final int[] keyOffsets; // key k's bytes: keyBytes[keyOffsets[k], keyOffsets[k + 1])
    private final byte[] keyBytes;

    EntityIndex(
        Iterator<InternalRow> entities, UnsafeProjection keyOf, int timeOrdinal, int tables) {
      Map<UnsafeRow, Integer> positions = new HashMap<>();
      List<UnsafeRow> keys = new ArrayList<>();
      List<InternalRow> keyed = new ArrayList<>();
      int[] keyOfRow = new int[16];
      while (entities.hasNext()) {
        // Readers reuse their row object: whatever is kept is copied.
        InternalRow row = entities.next().copy();
        if (row.isNullAt(timeOrdinal)) {
          timeless.add(row);
          continue;
        }
        UnsafeRow key = keyOf.apply(row);
        Integer position = positions.get(key);
        if (position == null) {
          position = keys.size();
          UnsafeRow copy = key.copy();
          keys.add(copy);
          positions.put(copy, position);
        }
        if (keyed.size() == keyOfRow.length) {
          keyOfRow = Arrays.copyOf(keyOfRow, keyOfRow.length * 2);
        }
        keyOfRow[keyed.size()] = position;
        keyed.add(row);
      }

      keyStart = new int[keys.size() + 1];
      for (int i = 0; i < keyed.size(); i++) {
        keyStart[keyOfRow[i] + 1]++;
      }
      for (int k = 0; k < keys.size(); k++) {
        keyStart[k + 1] += keyStart[k];
      }
      rows = new InternalRow[keyed.size()];
      int[] next = Arrays.copyOf(keyStart, keys.size());
      for (int i = 0; i < keyed.size(); i++) {
        rows[next[keyOfRow[i]]++] = keyed.get(i);
      }
      Comparator<InternalRow> byTime = Comparator.comparingLong(row -> row.getLong(timeOrdinal));
      times = new long[rows.length];
      for (int k = 0; k < keys.size(); k++) {
        Arrays.sort(rows, keyStart[k], keyStart[k + 1], byTime);
      }
      for (int i = 0; i < rows.length; i++) {
        times[i] = rows[i].getLong(timeOrdinal);
      }
      best = new InternalRow[tables][rows.length];
      bestEvent = new long[tables][rows.length];
      bestCreated = new long[tables][rows.length];

      slots = new int[Integer.highestOneBit(Math.max(1, keys.size()) * 2) * 2];
      keyHashes = new int[keys.size()];
      keyOffsets = new int[keys.size() + 1];
      for (int k = 0; k < keys.size(); k++) {
        keyOffsets[k + 1] = keyOffsets[k] + keys.get(k).getSizeInBytes();
      }
      keyBytes = new byte[keyOffsets[keys.size()]];
      for (int k = 0; k < keys.size(); k++) {
        UnsafeRow key = keys.get(k);
        key.writeToMemory(keyBytes, Platform.BYTE_ARRAY_OFFSET + keyOffsets[k]);
        keyHashes[k] = key.hashCode();
        int slot = spread(keyHashes[k]) & (slots.length - 1);
        while (slots[slot] != 0) {
          slot = (slot + 1) & (slots.length - 1);
        }
        slots[slot] = k + 1;
      }
    }

    /** The position of {@code key} among this partition's keys, or -1. */
    int find(UnsafeRow key) {
      int hash = key.hashCode();
      int slot = spread(hash) & (slots.length - 1);
      for (int taken = slots[slot]; taken != 0; taken = slots[slot]) {
        int k = taken - 1;
        int length = keyOffsets[k + 1] - keyOffsets[k];
        if (keyHashes[k] == hash
            && key.getSizeInBytes() == length
            && ByteArrayMethods.arrayEquals(
                key.getBaseObject(),
                key.getBaseOffset(),
                keyBytes,
                Platform.BYTE_ARRAY_OFFSET + keyOffsets[k],
                length)) {
          return k;
        }
        slot = (slot + 1) & (slots.length - 1);
      }
      return -1;
    }

    private static int spread(int hash) {
      return hash ^ (hash >>> 16);
    }
  }

  /**
   * Every entity row once, with its features: keyed ones with each table's running best, then the
   * ones without event time. Rows come from one reused buffer, as Spark's operators hand them on.
   */
  private final class Output implements Iterator<InternalRow> {
    private final EntityIndex index;
    private final InterpretedOrdering[] orderings;
    private final Iterator<InternalRow> timeless;
    private final UnsafeProjection project = outputProjection();
    private final InternalRow[] noFeatures = new InternalRow[tables.length];
    private final int[] running = new int[tables.length]; // position of the best so far; -1
    private final InternalRow[] visible = new InternalRow[tables.length];
    private final JoinedRow[] joins = new JoinedRow[tables.length];
    private int at;
    private int key;

    Output(EntityIndex index, InterpretedOrdering[] orderings) {
      this.index = index;
      this.orderings = orderings;
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
        if (index.best[t][at] != null && (running[t] < 0 || beats(t, at, running[t]))) {
          running[t] = at;
        }
        boolean fresh =
            running[t] >= 0
                && (maxAgeMicros[t] == 0
                    || index.bestEvent[t][running[t]] >= entityTime - maxAgeMicros[t]);
        visible[t] = fresh ? index.best[t][running[t]] : noFeatures[t];
      }
      return project.apply(joined(index.rows[at++], visible));
    }

    /** Whether table t's best row at {@code candidate} beats the one at {@code incumbent}. */
    private boolean beats(int t, int candidate, int incumbent) {
      int order =
          FeatureRows.compareTimes(
              index.bestEvent[t][candidate],
              index.bestCreated[t][candidate],
              index.bestEvent[t][incumbent],
              index.bestCreated[t][incumbent]);
      return order > 0
          || (order == 0
              && orderings[t].compare(index.best[t][candidate], index.best[t][incumbent]) > 0);
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
