package io.larder.onlinestore;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Timestamp;
import io.larder.proto.types.ValueProto.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The packed online layout (docs/PACKED_ONLINE_LAYOUT.md): one Redis string per (table, entity key)
 * holding a serialized {@code larder.storage.PackedRow}, keyed by {@code _p:<table>:} followed by
 * the hash layout's key (a serialized RedisKeyV2).
 */
public final class PackedRows {

  private static final int EVENT_TIMESTAMP_TAG = 1 << 3 | 2;
  private static final int FEATURE_TAG = 2 << 3 | 2;
  private static final int FEATURE_ID_TAG = 1 << 3 | 5;
  private static final int FEATURE_VALUE_TAG = 2 << 3 | 2;

  private PackedRows() {}

  /** {@code _p:<table>:}, what every packed key of the table starts with. */
  public static byte[] keyPrefix(String table) {
    return ("_p:" + table + ":").getBytes(StandardCharsets.UTF_8);
  }

  /** The packed key of an entity's row in {@code table}, given the hash layout's key bytes. */
  public static byte[] key(byte[] tablePrefix, byte[] entityKey) {
    byte[] key = new byte[tablePrefix.length + entityKey.length];
    System.arraycopy(tablePrefix, 0, key, 0, tablePrefix.length);
    System.arraycopy(entityKey, 0, key, tablePrefix.length, entityKey.length);
    return key;
  }

  /** A feature's id: the hash layout's field name read as a little-endian int. */
  public static int featureId(String table, String feature) {
    return ByteBuffer.wrap(OnlineStoreKeys.featureField(table, feature))
        .order(ByteOrder.LITTLE_ENDIAN)
        .getInt();
  }

  /**
   * A serialized PackedRow: the event time, then each non-null value with its id, in the given
   * order (null or unset values are left out, as the hash layout leaves out their fields).
   *
   * @param featureIds ids parallel to {@code values}
   */
  public static byte[] row(Timestamp eventTime, int[] featureIds, List<Value> values) {
    int size = CodedOutputStream.computeMessageSize(1, eventTime);
    int[] entrySizes = new int[featureIds.length];
    for (int i = 0; i < featureIds.length; i++) {
      Value value = values.get(i);
      if (isNull(value)) {
        continue;
      }
      entrySizes[i] =
          CodedOutputStream.computeFixed32Size(1, featureIds[i])
              + CodedOutputStream.computeMessageSize(2, value);
      size +=
          CodedOutputStream.computeTagSize(2)
              + CodedOutputStream.computeUInt32SizeNoTag(entrySizes[i])
              + entrySizes[i];
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeMessage(1, eventTime);
      for (int i = 0; i < featureIds.length; i++) {
        Value value = values.get(i);
        if (isNull(value)) {
          continue;
        }
        out.writeTag(2, 2);
        out.writeUInt32NoTag(entrySizes[i]);
        out.writeFixed32(1, featureIds[i]);
        out.writeMessage(2, value);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("packed row does not fit its computed size", e);
    }
    return bytes;
  }

  /** A serialized PackedRow of one table's features, by name, in the map's order. */
  public static byte[] row(String table, Timestamp eventTime, Map<String, Value> features) {
    int[] ids = features.keySet().stream().mapToInt(name -> featureId(table, name)).toArray();
    return row(eventTime, ids, new ArrayList<>(features.values()));
  }

  private static boolean isNull(Value value) {
    return value == null || value.getValCase() == Value.ValCase.VAL_NOT_SET;
  }

  /** What {@link #scan} reports, field by field, without building messages. */
  public interface RowVisitor {
    /** The serialized event timestamp. */
    void eventTimestamp(byte[] timestamp);

    /** One feature's id and its serialized Value. */
    void feature(int id, byte[] value);
  }

  /**
   * Walks a stored PackedRow, in any field order and skipping unknown fields.
   *
   * @return false when the bytes do not parse (the row is then read as absent)
   */
  public static boolean scan(byte[] stored, RowVisitor visitor) {
    // Rows as Larder writes them take the direct walk; anything else protobuf's general reader.
    return scanWritten(stored, visitor) || scanAny(stored, visitor);
  }

  /**
   * The rows writers of this layout produce: the timestamp, then entries of exactly {@code id} then
   * {@code value}. Reports nothing and answers false on the first byte that differs, so the general
   * reader starts over.
   */
  private static boolean scanWritten(byte[] row, RowVisitor visitor) {
    int end = row.length;
    if (end < 2 || row[0] != EVENT_TIMESTAMP_TAG) {
      return false;
    }
    int length = row[1];
    if (length < 0 || 2 + length > end) {
      return false; // a multi-byte length: not what a Timestamp needs
    }
    int at = 2 + length;
    // Checked before anything is reported: the walk below must not fail half-way.
    for (int i = at; i < end; ) {
      if (row[i] != FEATURE_TAG || i + 1 >= end) {
        return false;
      }
      int entryLength = row[i + 1];
      int entry = i + 2;
      if (entryLength < 7
          || entry + entryLength > end
          || row[entry] != FEATURE_ID_TAG
          || row[entry + 5] != FEATURE_VALUE_TAG
          || row[entry + 6] != entryLength - 7) {
        return false; // long values (multi-byte lengths) and other shapes: the general reader
      }
      i = entry + entryLength;
    }
    visitor.eventTimestamp(Arrays.copyOfRange(row, 2, 2 + length));
    for (int i = at; i < end; ) {
      int entry = i + 2;
      int next = entry + row[i + 1];
      int id =
          (row[entry + 1] & 0xff)
              | (row[entry + 2] & 0xff) << 8
              | (row[entry + 3] & 0xff) << 16
              | (row[entry + 4] & 0xff) << 24;
      visitor.feature(id, Arrays.copyOfRange(row, entry + 7, next));
      i = next;
    }
    return true;
  }

  private static boolean scanAny(byte[] stored, RowVisitor visitor) {
    CodedInputStream in = CodedInputStream.newInstance(stored);
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == EVENT_TIMESTAMP_TAG) {
          visitor.eventTimestamp(in.readByteArray());
        } else if (tag == FEATURE_TAG) {
          int limit = in.pushLimit(in.readRawVarint32());
          int id = 0;
          byte[] value = null;
          for (int inner = in.readTag(); inner != 0; inner = in.readTag()) {
            if (inner == FEATURE_ID_TAG) {
              id = in.readFixed32();
            } else if (inner == FEATURE_VALUE_TAG) {
              value = in.readByteArray();
            } else if (!in.skipField(inner)) {
              break;
            }
          }
          in.popLimit(limit);
          // An entry without a value holds a default (empty) Value: a null feature value.
          visitor.feature(id, value == null ? StoredValues.UNSET : value);
        } else if (!in.skipField(tag)) {
          break;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
