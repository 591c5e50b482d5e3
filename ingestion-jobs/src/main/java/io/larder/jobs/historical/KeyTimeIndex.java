package io.larder.jobs.historical;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.array.ByteArrayMethods;

/**
 * Entity rows grouped by key and sorted by time within a key, with an open-addressing table from
 * key bytes to key position: a feature row's lookup touches a few flat arrays instead of a hash
 * map's scattered nodes. Position i of {@link #times} is the i-th entity row in that order.
 */
final class KeyTimeIndex {

  final List<InternalRow> timeless = new ArrayList<>();
  final InternalRow[] rows; // by key, then time
  final long[] times; // rows' event times
  final int[] keyStart; // key k's rows: [keyStart[k], keyStart[k + 1])
  private final int[] slots; // key position + 1; 0 = empty
  private final int[] keyHashes;
  private final int[] keyOffsets; // key k's bytes: keyBytes[keyOffsets[k], keyOffsets[k + 1])
  private final byte[] keyBytes;

  /**
   * @param entities rows with a key and an event time; rows without a time go to {@link #timeless}
   * @param keyOf the rows' key bytes
   */
  KeyTimeIndex(Iterator<InternalRow> entities, UnsafeProjection keyOf, int timeOrdinal) {
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

  /** The position of {@code key} among the indexed keys, or -1. */
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
