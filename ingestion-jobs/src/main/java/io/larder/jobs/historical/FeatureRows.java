package io.larder.jobs.historical;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Ascending$;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.InterpretedOrdering;
import org.apache.spark.sql.catalyst.expressions.NullsFirst$;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One table's feature rows as both join stages read them: (keys in key order, event ts, created ts,
 * the requested features).
 *
 * @param keyTypes the key columns' types, in key order
 * @param featureTypes the requested features' types
 * @param knownAsOfEntityTime a row becomes visible at max(event ts, created ts), not at event ts
 */
record FeatureRows(DataType[] keyTypes, DataType[] featureTypes, boolean knownAsOfEntityTime)
    implements Serializable {

  int eventOrdinal() {
    return keyTypes.length;
  }

  int createdOrdinal() {
    return keyTypes.length + 1;
  }

  int firstFeatureOrdinal() {
    return keyTypes.length + 2;
  }

  int width() {
    return firstFeatureOrdinal() + featureTypes.length;
  }

  long event(InternalRow row) {
    return row.getLong(eventOrdinal());
  }

  /** When the row becomes visible to an entity row. */
  long visible(InternalRow row) {
    long event = event(row);
    return knownAsOfEntityTime && !row.isNullAt(createdOrdinal())
        ? Math.max(event, row.getLong(createdOrdinal()))
        : event;
  }

  /** The key of a feature row as bytes that hash and compare by value (reuses one buffer). */
  UnsafeProjection keyProjection() {
    int[] ordinals = new int[keyTypes.length];
    for (int i = 0; i < ordinals.length; i++) {
      ordinals[i] = i;
    }
    return keyProjection(ordinals, keyTypes);
  }

  /** The key at {@code ordinals} of a row as bytes that hash and compare by value. */
  static UnsafeProjection keyProjection(int[] ordinals, DataType[] types) {
    List<Expression> references = new ArrayList<>();
    for (int i = 0; i < ordinals.length; i++) {
      references.add(new BoundReference(ordinals[i], types[i], true));
    }
    return UnsafeProjection.create(CollectionConverters.asScala(references).toSeq());
  }

  /** The created ts, or {@link Long#MIN_VALUE} (below every timestamp) when there is none. */
  long createdOrLowest(InternalRow row) {
    return row.isNullAt(createdOrdinal()) ? Long.MIN_VALUE : row.getLong(createdOrdinal());
  }

  /**
   * The order {@code max(struct(event ts, created ts, features...))} gives two rows, by their
   * times: 0 when both tie and only the features (see {@link #featureOrdering()}) can decide.
   */
  static int compareTimes(long event, long created, long otherEvent, long otherCreated) {
    int byEvent = Long.compare(event, otherEvent);
    return byEvent != 0 ? byEvent : Long.compare(created, otherCreated);
  }

  /** The order of two rows' features, ascending, nulls first (one per task: not serializable). */
  InterpretedOrdering featureOrdering() {
    List<SortOrder> order = new ArrayList<>();
    for (int f = 0; f < featureTypes.length; f++) {
      order.add(ascending(firstFeatureOrdinal() + f, featureTypes[f]));
    }
    return new InterpretedOrdering(CollectionConverters.asScala(order).toSeq());
  }

  private static SortOrder ascending(int ordinal, DataType type) {
    return new SortOrder(
        new BoundReference(ordinal, type, true),
        Ascending$.MODULE$,
        NullsFirst$.MODULE$,
        CollectionConverters.asScala(List.<Expression>of()).toSeq());
  }

  /** The first of {@code times[from, to)} (ascending) at or after {@code time}; to when none is. */
  static int firstAtOrAfter(long[] times, int from, int to, long time) {
    int low = from;
    int high = to;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (times[mid] < time) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /**
   * A copy of {@code row} (readers reuse their row object), written over {@code replaced} when it
   * has the same size: rows of fixed-width features always do, so keeping a better row allocates
   * nothing.
   */
  static InternalRow keep(InternalRow row, InternalRow replaced) {
    if (row instanceof UnsafeRow unsafe
        && replaced instanceof UnsafeRow target
        && target.getSizeInBytes() == unsafe.getSizeInBytes()
        && target.getBaseObject() instanceof byte[]) {
      unsafe.writeToMemory(target.getBaseObject(), target.getBaseOffset());
      return target;
    }
    return row.copy();
  }
}
