package io.larder.jobs.historical;

import java.util.Iterator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.InterpretedOrdering;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;

/**
 * One table's best feature row per entity-row interval of a {@link KeyTimeIndex}: a feature row
 * lands in the interval of the first entity row of its key that can see it, and each interval keeps
 * the best one (event ts, created ts, then the values, as {@code max(struct)} orders them). Times
 * of kept rows sit in flat arrays, so most rows lose without touching a kept row.
 */
final class BestRows {

  final InternalRow[] rows;
  final long[] event;
  final long[] created; // Long.MIN_VALUE: none
  private final KeyTimeIndex index;
  private final FeatureRows layout;
  private final long maxAgeMicros;
  private final UnsafeProjection keyOf;
  private final InterpretedOrdering featureOrdering;

  BestRows(KeyTimeIndex index, FeatureRows layout, long maxAgeMicros) {
    int size = index.times.length;
    this.rows = new InternalRow[size];
    this.event = new long[size];
    this.created = new long[size];
    this.index = index;
    this.layout = layout;
    this.maxAgeMicros = maxAgeMicros;
    this.keyOf = layout.keyProjection();
    this.featureOrdering = layout.featureOrdering();
  }

  /** Offers every row of {@code input}. */
  void offerAll(Iterator<InternalRow> input) {
    long[] times = index.times;
    while (input.hasNext()) {
      InternalRow row = input.next();
      int key = index.find(keyOf.apply(row));
      if (key < 0) {
        continue;
      }
      int to = index.keyStart[key + 1];
      int at = FeatureRows.firstAtOrAfter(times, index.keyStart[key], to, layout.visible(row));
      long rowEvent = layout.event(row);
      if (at == to || (maxAgeMicros > 0 && rowEvent < times[at] - maxAgeMicros)) {
        continue; // seen by no entity row, or too old for every one that sees it
      }
      long rowCreated = layout.createdOrLowest(row);
      InternalRow current = rows[at];
      int order =
          current == null
              ? 1
              : FeatureRows.compareTimes(rowEvent, rowCreated, event[at], created[at]);
      if (order == 0) {
        order = featureOrdering.compare(row, current);
      }
      if (order > 0) {
        rows[at] = FeatureRows.keep(row, current);
        event[at] = rowEvent;
        created[at] = rowCreated;
      }
    }
  }

  /** Whether the row kept at {@code candidate} beats the one at {@code incumbent}. */
  boolean beats(int candidate, int incumbent) {
    int order =
        FeatureRows.compareTimes(
            event[candidate], created[candidate], event[incumbent], created[incumbent]);
    return order > 0
        || (order == 0 && featureOrdering.compare(rows[candidate], rows[incumbent]) > 0);
  }
}
