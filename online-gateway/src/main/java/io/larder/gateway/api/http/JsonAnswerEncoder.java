package io.larder.gateway.api.http;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ProtocolStringList;
import io.larder.gateway.api.EncoderCache;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.io.NumberOutput;

/**
 * Writes answers in the protobuf JSON mapping (what JsonFormat prints for GetOnlineFeaturesResponse
 * and StreamedFeatureRow, compact) without building the messages or going through the reflective
 * printer: keys and status names are encoded once per answer shape, scalar values are printed
 * straight from their stored bytes.
 */
final class JsonAnswerEncoder {

  private static final byte[][] STATUS_NAMES = {
    ascii("\"INVALID\""),
    ascii("\"PRESENT\""),
    ascii("\"NULL_VALUE\""),
    ascii("\"NOT_FOUND\""),
    ascii("\"OUTSIDE_MAX_AGE\"")
  };
  private static final byte[] EMPTY_VALUE = ascii("{}");
  private static final byte[] HEX = ascii("0123456789abcdef");

  private final int slots;

  /** Per slot: {@code "table:feature":}, escaped. */
  private final byte[][] keys;

  /** Shapes whose encoders are kept (each a few KB). */
  private static final EncoderCache<JsonAnswerEncoder> SHAPES =
      new EncoderCache<>(JsonAnswerEncoder::new, 256);

  /** The (shared) encoder for answers of this one's shape. */
  static JsonAnswerEncoder forShape(OnlineAnswer answer) {
    return SHAPES.forShape(answer);
  }

  JsonAnswerEncoder(OnlineAnswer shape) {
    this.slots = shape.slotCount();
    this.keys = new byte[slots][];
    for (int slot = 0; slot < slots; slot++) {
      JsonBytes key = new JsonBytes(32);
      writeString(key, shape.reference(slot));
      key.write(':');
      keys[slot] = key.toByteArray();
    }
  }

  /** The opening of a GetOnlineFeaturesResponse with rows; an answer without rows is {@code {}}. */
  static void beginResponse(JsonBytes out) {
    out.writeAscii("{\"fieldValues\":[");
  }

  static void endResponse(JsonBytes out) {
    out.writeAscii("]}");
  }

  /** Rows {@code [from, to)} of the answer as FieldValues objects, comma separated. */
  void writeRows(OnlineAnswer answer, int from, int to, JsonBytes out) {
    for (int row = from; row < to; row++) {
      if (row > 0) {
        out.write(',');
      }
      writeRow(answer, row, out);
    }
  }

  /** Every row of a chunk as StreamedFeatureRow lines (NDJSON). */
  void writeStreamedRows(OnlineAnswer answer, JsonBytes out) {
    for (int row = 0; row < answer.rowCount(); row++) {
      int index = answer.requestRow(row);
      out.write('{');
      if (index != 0) { // proto3 JSON leaves out default values
        out.writeAscii("\"rowIndex\":");
        out.writeInt(index);
        out.write(',');
      }
      out.writeAscii("\"row\":");
      writeRow(answer, row, out);
      out.writeAscii("}\n");
    }
  }

  private void writeRow(OnlineAnswer answer, int row, JsonBytes out) {
    Map<String, Value> echoed = answer.entityFields(row);
    if (slots == 0 && echoed.isEmpty()) {
      out.writeAscii("{}");
      return;
    }
    out.writeAscii("{\"fields\":{");
    boolean first = true;
    for (Map.Entry<String, Value> field : echoed.entrySet()) {
      first = comma(first, out);
      writeString(out, field.getKey());
      out.write(':');
      writeValue(field.getValue(), out);
    }
    for (int slot = 0; slot < slots; slot++) {
      first = comma(first, out);
      out.write(keys[slot]);
      writeStoredValue(answer.value(row, slot), out);
    }
    out.writeAscii("},\"statuses\":{");
    first = true;
    for (String name : echoed.keySet()) {
      first = comma(first, out);
      writeString(out, name);
      out.write(':');
      out.write(STATUS_NAMES[1]);
    }
    for (int slot = 0; slot < slots; slot++) {
      first = comma(first, out);
      out.write(keys[slot]);
      int status = answer.status(row, slot);
      out.write(STATUS_NAMES[status >= 0 && status < STATUS_NAMES.length ? status : 0]);
    }
    out.writeAscii("}}");
  }

  private static boolean comma(boolean first, JsonBytes out) {
    if (!first) {
      out.write(',');
    }
    return false;
  }

  /**
   * A serialized Value: the scalar cases straight from their bytes (one field that ends the
   * buffer), anything else parsed first.
   */
  static void writeStoredValue(byte[] bytes, JsonBytes out) {
    if (bytes.length == 0) {
      out.write(EMPTY_VALUE);
      return;
    }
    int tag = bytes[0];
    switch (tag) {
      case 0x20 -> { // int64_val
        if (varintEnds(bytes, 1)) {
          out.writeAscii("{\"int64Val\":\"");
          out.writeLong(varintAt(bytes, 1));
          out.writeAscii("\"}");
          return;
        }
      }
      case 0x29 -> { // double_val
        if (bytes.length == 9) {
          out.writeAscii("{\"doubleVal\":");
          writeDouble(Double.longBitsToDouble(littleEndian64(bytes, 1)), out);
          out.write('}');
          return;
        }
      }
      case 0x35 -> { // float_val
        if (bytes.length == 5) {
          out.writeAscii("{\"floatVal\":");
          writeFloat(Float.intBitsToFloat(littleEndian32(bytes, 1)), out);
          out.write('}');
          return;
        }
      }
      case 0x12 -> { // string_val
        int start = lengthDelimitedStart(bytes);
        if (start > 0) {
          out.writeAscii("{\"stringVal\":");
          writeUtf8(out, bytes, start, bytes.length);
          out.write('}');
          return;
        }
      }
      case 0x18 -> { // int32_val
        if (varintEnds(bytes, 1)) {
          out.writeAscii("{\"int32Val\":");
          out.writeInt((int) varintAt(bytes, 1));
          out.write('}');
          return;
        }
      }
      case 0x38 -> { // bool_val
        if (bytes.length == 2) {
          out.writeAscii(bytes[1] != 0 ? "{\"boolVal\":true}" : "{\"boolVal\":false}");
          return;
        }
      }
      default -> {
        // lists, bytes and anything unusual below
      }
    }
    Value value;
    try {
      value = Value.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an answer holds a Value that does not parse", e);
    }
    writeValue(value, out);
  }

  /** A Value as JsonFormat prints it: an object with its one case, {@code {}} when unset. */
  static void writeValue(Value value, JsonBytes out) {
    switch (value.getValCase()) {
      case BYTES_VAL -> {
        out.writeAscii("{\"bytesVal\":");
        writeBytes(value.getBytesVal(), out);
      }
      case STRING_VAL -> {
        out.writeAscii("{\"stringVal\":");
        writeString(out, value.getStringVal());
      }
      case INT32_VAL -> {
        out.writeAscii("{\"int32Val\":");
        out.writeInt(value.getInt32Val());
      }
      case INT64_VAL -> {
        out.writeAscii("{\"int64Val\":\"");
        out.writeLong(value.getInt64Val());
        out.write('"');
      }
      case DOUBLE_VAL -> {
        out.writeAscii("{\"doubleVal\":");
        writeDouble(value.getDoubleVal(), out);
      }
      case FLOAT_VAL -> {
        out.writeAscii("{\"floatVal\":");
        writeFloat(value.getFloatVal(), out);
      }
      case BOOL_VAL ->
          out.writeAscii(value.getBoolVal() ? "{\"boolVal\":true" : "{\"boolVal\":false");
      case BYTES_LIST_VAL -> {
        List<ByteString> list = value.getBytesListVal().getValList();
        beginList("bytesListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          writeBytes(list.get(i), out);
        }
        endList(list.size(), out);
      }
      case STRING_LIST_VAL -> {
        ProtocolStringList list = value.getStringListVal().getValList();
        beginList("stringListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          writeString(out, list.get(i));
        }
        endList(list.size(), out);
      }
      case INT32_LIST_VAL -> {
        List<Integer> list = value.getInt32ListVal().getValList();
        beginList("int32ListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          out.writeInt(list.get(i));
        }
        endList(list.size(), out);
      }
      case INT64_LIST_VAL -> {
        List<Long> list = value.getInt64ListVal().getValList();
        beginList("int64ListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          out.write('"');
          out.writeLong(list.get(i));
          out.write('"');
        }
        endList(list.size(), out);
      }
      case DOUBLE_LIST_VAL -> {
        List<Double> list = value.getDoubleListVal().getValList();
        beginList("doubleListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          writeDouble(list.get(i), out);
        }
        endList(list.size(), out);
      }
      case FLOAT_LIST_VAL -> {
        List<Float> list = value.getFloatListVal().getValList();
        beginList("floatListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          writeFloat(list.get(i), out);
        }
        endList(list.size(), out);
      }
      case BOOL_LIST_VAL -> {
        List<Boolean> list = value.getBoolListVal().getValList();
        beginList("boolListVal", list.size(), out);
        for (int i = 0; i < list.size(); i++) {
          separate(i, out);
          out.writeAscii(list.get(i) ? "true" : "false");
        }
        endList(list.size(), out);
      }
      case VAL_NOT_SET -> {
        out.write(EMPTY_VALUE);
        return;
      }
    }
    out.write('}');
  }

  /** {@code {"<case>":{"val":[} — or, empty, {@code {"<case>":{} (JSON leaves out empty lists). */
  private static void beginList(String name, int size, JsonBytes out) {
    out.writeAscii("{\"");
    out.writeAscii(name);
    out.writeAscii(size == 0 ? "\":{" : "\":{\"val\":[");
  }

  private static void endList(int size, JsonBytes out) {
    out.writeAscii(size == 0 ? "}" : "]}");
  }

  private static void separate(int index, JsonBytes out) {
    if (index > 0) {
      out.write(',');
    }
  }

  /**
   * JsonFormat's doubles: the shortest decimal that reads back as the same double (Schubfach, as
   * Jackson writes it: faster than this JDK's Double.toString), the non-finite ones as strings.
   */
  private static void writeDouble(double value, JsonBytes out) {
    if (Double.isFinite(value)) {
      out.writeAscii(NumberOutput.toString(value, true));
    } else {
      out.writeAscii(
          Double.isNaN(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    }
  }

  private static void writeFloat(float value, JsonBytes out) {
    if (Float.isFinite(value)) {
      out.writeAscii(NumberOutput.toString(value, true));
    } else {
      out.writeAscii(Float.isNaN(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    }
  }

  private static void writeBytes(ByteString bytes, JsonBytes out) {
    out.write('"');
    out.write(Base64.getEncoder().encode(bytes.toByteArray()));
    out.write('"');
  }

  static void writeString(JsonBytes out, String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    writeUtf8(out, utf8, 0, utf8.length);
  }

  /** A JSON string of UTF-8 bytes: quotes, backslashes and control characters escaped. */
  private static void writeUtf8(JsonBytes out, byte[] utf8, int from, int to) {
    out.write('"');
    int clean = from;
    for (int i = from; i < to; i++) {
      int b = utf8[i] & 0xFF;
      if (b >= 0x20 && b != '"' && b != '\\') {
        continue;
      }
      out.write(utf8, clean, i - clean);
      clean = i + 1;
      switch (b) {
        case '"' -> out.writeAscii("\\\"");
        case '\\' -> out.writeAscii("\\\\");
        case '\n' -> out.writeAscii("\\n");
        case '\r' -> out.writeAscii("\\r");
        case '\t' -> out.writeAscii("\\t");
        case '\b' -> out.writeAscii("\\b");
        case '\f' -> out.writeAscii("\\f");
        default -> {
          out.writeAscii("\\u00");
          out.write(HEX[b >> 4]);
          out.write(HEX[b & 0xF]);
        }
      }
    }
    out.write(utf8, clean, to - clean);
    out.write('"');
  }

  /** Where a length-delimited field's content starts when it runs exactly to the end; else 0. */
  private static int lengthDelimitedStart(byte[] bytes) {
    int length = 0;
    int shift = 0;
    for (int i = 1; i < bytes.length && i <= 5; i++) {
      int b = bytes[i];
      length |= (b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        return bytes.length - (i + 1) == length ? i + 1 : 0;
      }
    }
    return 0;
  }

  private static long varintAt(byte[] bytes, int from) {
    long value = 0;
    for (int i = from, shift = 0; i < bytes.length && shift < 64; i++, shift += 7) {
      value |= (long) (bytes[i] & 0x7F) << shift;
      if ((bytes[i] & 0x80) == 0) {
        break;
      }
    }
    return value;
  }

  /** Whether the varint at {@code from} is the last thing in the buffer. */
  private static boolean varintEnds(byte[] bytes, int from) {
    for (int i = from; i < bytes.length && i < from + 10; i++) {
      if ((bytes[i] & 0x80) == 0) {
        return i == bytes.length - 1;
      }
    }
    return false;
  }

  private static long littleEndian64(byte[] bytes, int from) {
    return (littleEndian32(bytes, from) & 0xFFFFFFFFL)
        | ((long) littleEndian32(bytes, from + 4) << 32);
  }

  private static int littleEndian32(byte[] bytes, int from) {
    return (bytes[from] & 0xFF)
        | (bytes[from + 1] & 0xFF) << 8
        | (bytes[from + 2] & 0xFF) << 16
        | (bytes[from + 3] & 0xFF) << 24;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
