package io.larder.gateway.api.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.larder.gateway.api.EncoderCache;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
import io.larder.proto.types.ValueProto.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes answers as GetOnlineFeaturesResponse / StreamedFeatureRow bytes without building them: the
 * bytes protobuf would write for the same message (fields in number order, map entries in insertion
 * order, each entry's key and value always written), with every per-feature piece (map keys, whole
 * status entries) encoded once per answer shape and stored values copied as they are.
 */
final class ProtoAnswerEncoder {

  private static final int FIELD_VALUES = 1; // GetOnlineFeaturesResponse.field_values
  private static final int FIELDS = 1; // FieldValues.fields
  private static final int STATUSES = 2; // FieldValues.statuses
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  private static final int ROW_INDEX = 1; // StreamedFeatureRow.row_index
  private static final int ROW = 2; // StreamedFeatureRow.row
  private static final int STATUS_NUMBERS = 5;

  private static final int FIELDS_TAG = (FIELDS << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int VALUE_TAG = (ENTRY_VALUE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED);

  /** Shapes whose encoders are kept (each a few KB). */
  private static final EncoderCache<ProtoAnswerEncoder> SHAPES =
      new EncoderCache<>(ProtoAnswerEncoder::new, 256);

  private final int slots;

  /** Per slot: the map entry's key field (tag, length, UTF-8 of {@code table:feature}). */
  private final byte[][] keys;

  /** Per slot: the whole fields entry of an empty Value. */
  private final byte[][] emptyValueEntries;

  /** Per slot and status number: the whole statuses entry. */
  private final byte[][] statusEntries;

  /** The (shared) encoder for answers of this one's shape. */
  static ProtoAnswerEncoder forShape(OnlineAnswer answer) {
    return SHAPES.forShape(answer);
  }

  ProtoAnswerEncoder(OnlineAnswer shape) {
    this.slots = shape.slotCount();
    this.keys = new byte[slots][];
    this.emptyValueEntries = new byte[slots][];
    this.statusEntries = new byte[slots * STATUS_NUMBERS][];
    for (int slot = 0; slot < slots; slot++) {
      byte[] key = encode(shape.reference(slot));
      keys[slot] = key;
      emptyValueEntries[slot] = entry(FIELDS, key, VALUE_TAG, new byte[] {0});
      for (int status = 0; status < STATUS_NUMBERS; status++) {
        int statusTag = ENTRY_VALUE << 3 | WireFormat.WIRETYPE_VARINT;
        statusEntries[slot * STATUS_NUMBERS + status] =
            entry(STATUSES, key, statusTag, new byte[] {(byte) status});
      }
    }
  }

  /** The whole answer as a GetOnlineFeaturesResponse. */
  EncodedMessage response(OnlineAnswer answer) {
    if (answer.echoCollides()) {
      return EncodedMessage.of(answer.toResponse());
    }
    int rows = answer.rowCount();
    int[] rowSizes = new int[rows];
    int size = 0;
    for (int row = 0; row < rows; row++) {
      int rowSize = rowSize(answer, row);
      rowSizes[row] = rowSize;
      size += lengthDelimitedSize(rowSize);
    }
    int total = size;
    return new EncodedMessage() {
      @Override
      int serializedSize() {
        return total;
      }

      @Override
      void writeTo(CodedOutputStream out) throws IOException {
        for (int row = 0; row < rows; row++) {
          out.writeTag(FIELD_VALUES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(rowSizes[row]);
          writeRow(answer, row, out);
        }
      }
    };
  }

  /** Row {@code row} of the answer as a StreamedFeatureRow. */
  EncodedMessage streamedRow(OnlineAnswer answer, int row) {
    if (answer.echoCollides()) {
      return EncodedMessage.of(
          StreamedFeatureRow.newBuilder()
              .setRowIndex(answer.requestRow(row))
              .setRow(answer.row(row))
              .build());
    }
    int index = answer.requestRow(row);
    int rowSize = rowSize(answer, row);
    // proto3: a zero row_index is not written.
    int total =
        (index == 0 ? 0 : CodedOutputStream.computeInt32Size(ROW_INDEX, index))
            + lengthDelimitedSize(rowSize);
    return new EncodedMessage() {
      @Override
      int serializedSize() {
        return total;
      }

      @Override
      void writeTo(CodedOutputStream out) throws IOException {
        if (index != 0) {
          out.writeInt32(ROW_INDEX, index);
        }
        out.writeTag(ROW, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(rowSize);
        writeRow(answer, row, out);
      }
    };
  }

  /** The FieldValues of one row: every fields entry (echoed first), then every statuses entry. */
  private int rowSize(OnlineAnswer answer, int row) {
    int size = 0;
    for (Map.Entry<String, Value> echoed : answer.entityFields(row).entrySet()) {
      int key = CodedOutputStream.computeStringSize(ENTRY_KEY, echoed.getKey());
      size +=
          lengthDelimitedSize(
              key + CodedOutputStream.computeMessageSize(ENTRY_VALUE, echoed.getValue()));
      size += lengthDelimitedSize(key + 2); // the PRESENT status entry
    }
    for (int slot = 0; slot < slots; slot++) {
      int valueLength = answer.value(row, slot).length;
      size +=
          valueLength == 0
              ? emptyValueEntries[slot].length
              : lengthDelimitedSize(keys[slot].length + lengthDelimitedSize(valueLength));
      size += statusEntries[slot * STATUS_NUMBERS + answer.status(row, slot)].length;
    }
    return size;
  }

  private void writeRow(OnlineAnswer answer, int row, CodedOutputStream out) throws IOException {
    Map<String, Value> echoed = answer.entityFields(row);
    for (Map.Entry<String, Value> field : echoed.entrySet()) {
      Value value = field.getValue();
      out.writeTag(FIELDS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(
          CodedOutputStream.computeStringSize(ENTRY_KEY, field.getKey())
              + CodedOutputStream.computeMessageSize(ENTRY_VALUE, value));
      out.writeString(ENTRY_KEY, field.getKey());
      out.writeMessage(ENTRY_VALUE, value);
    }
    for (int slot = 0; slot < slots; slot++) {
      byte[] value = answer.value(row, slot);
      if (value.length == 0) {
        out.writeRawBytes(emptyValueEntries[slot]);
      } else {
        byte[] key = keys[slot];
        out.writeUInt32NoTag(FIELDS_TAG);
        out.writeUInt32NoTag(key.length + lengthDelimitedSize(value.length));
        out.writeRawBytes(key);
        out.writeUInt32NoTag(VALUE_TAG);
        out.writeUInt32NoTag(value.length);
        out.writeRawBytes(value);
      }
    }
    for (String name : echoed.keySet()) {
      out.writeTag(STATUSES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(CodedOutputStream.computeStringSize(ENTRY_KEY, name) + 2);
      out.writeString(ENTRY_KEY, name);
      out.writeEnum(ENTRY_VALUE, 1); // PRESENT
    }
    for (int slot = 0; slot < slots; slot++) {
      out.writeRawBytes(statusEntries[slot * STATUS_NUMBERS + answer.status(row, slot)]);
    }
  }

  /** Tag (one byte: fields 1 and 2), length, then the content. */
  private static int lengthDelimitedSize(int contentLength) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(contentLength) + contentLength;
  }

  /** A map key field: tag 1, length, UTF-8. */
  private static byte[] encode(String key) {
    byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
    byte[] field = new byte[CodedOutputStream.computeStringSize(ENTRY_KEY, key)];
    CodedOutputStream out = CodedOutputStream.newInstance(field);
    try {
      out.writeByteArray(ENTRY_KEY, utf8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    out.checkNoSpaceLeft();
    return field;
  }

  /** A whole map entry: the outer tag and length, the key field, the value's tag and bytes. */
  private static byte[] entry(int mapField, byte[] key, int valueTag, byte[] valueRest) {
    int content = key.length + 1 + valueRest.length;
    byte[] entry = new byte[lengthDelimitedSize(content)];
    CodedOutputStream out = CodedOutputStream.newInstance(entry);
    try {
      out.writeTag(mapField, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(content);
      out.writeRawBytes(key);
      out.writeUInt32NoTag(valueTag);
      out.writeRawBytes(valueRest);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    out.checkNoSpaceLeft();
    return entry;
  }
}
