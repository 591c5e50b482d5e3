package io.larder.onlinestore;

import com.google.common.base.Utf8;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;

/**
 * A stored {@code feast.types.Value} as it can go into an answer without being built: when its
 * bytes are exactly one field of the declared type, written the way protobuf writes it, they are
 * the answer's bytes as they are; anything else is parsed and written again, so the outcome is
 * always what {@code Value.parseFrom(stored).toByteArray()} gives.
 */
public final class StoredValues {

  /** A Value with no case set (a null feature value): answered NULL_VALUE. */
  public static final byte[] UNSET = new byte[0];

  private static final int WIRE_VARINT = 0;
  private static final int WIRE_FIXED64 = 1;
  private static final int WIRE_LENGTH_DELIMITED = 2;
  private static final int WIRE_FIXED32 = 5;

  private StoredValues() {}

  /**
   * @param stored the HMGET reply for a feature field (not null)
   * @param declared the type the feature table declares
   * @return the Value's canonical bytes when it holds the declared type; {@link #UNSET} when it
   *     holds no value; null when it does not parse or holds another type
   */
  public static byte[] canonical(byte[] stored, ValueType.Enum declared) {
    int field = declared == ValueType.Enum.UNRECOGNIZED ? 0 : declared.getNumber();
    if (field != 0 && isSingleCanonicalField(stored, field)) {
      return stored;
    }
    Value value;
    try {
      value = Value.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
    if (value.getValCase() == Value.ValCase.VAL_NOT_SET) {
      return UNSET;
    }
    return OnlineValues.hasType(value, declared) ? value.toByteArray() : null;
  }

  /**
   * Whether {@code bytes} hold exactly Value field {@code field} (a ValueType's number is its Value
   * field number) and nothing else, in the one form protobuf writes. Lists take the parsing path:
   * their element encodings have more than one legal form.
   */
  static boolean isSingleCanonicalField(byte[] bytes, int field) {
    int wireType = wireType(field);
    if (wireType < 0) {
      return false;
    }
    int tag = field << 3 | wireType;
    int position;
    if (tag < 0x80) {
      if (bytes.length < 1 || bytes[0] != tag) {
        return false;
      }
      position = 1;
    } else {
      if (bytes.length < 2
          || (bytes[0] & 0xFF) != ((tag & 0x7F) | 0x80)
          || (bytes[1] & 0xFF) != tag >>> 7) {
        return false;
      }
      position = 2;
    }
    int remaining = bytes.length - position;
    switch (wireType) {
      case WIRE_FIXED64:
        return remaining == 8;
      case WIRE_FIXED32:
        return remaining == 4;
      case WIRE_VARINT:
        return isCanonicalVarintField(bytes, position, field);
      default:
        return isCanonicalLengthDelimited(bytes, position, field);
    }
  }

  private static int wireType(int field) {
    return switch (field) {
      case Value.INT32_VAL_FIELD_NUMBER,
          Value.INT64_VAL_FIELD_NUMBER,
          Value.BOOL_VAL_FIELD_NUMBER ->
          WIRE_VARINT;
      case Value.DOUBLE_VAL_FIELD_NUMBER -> WIRE_FIXED64;
      case Value.FLOAT_VAL_FIELD_NUMBER -> WIRE_FIXED32;
      case Value.BYTES_VAL_FIELD_NUMBER, Value.STRING_VAL_FIELD_NUMBER -> WIRE_LENGTH_DELIMITED;
      default -> -1;
    };
  }

  private static boolean isCanonicalVarintField(byte[] bytes, int position, int field) {
    int length = bytes.length - position;
    if (length < 1 || length > 10) {
      return false;
    }
    long value = 0;
    for (int i = 0; i < length; i++) {
      int b = bytes[position + i];
      boolean last = i == length - 1;
      if ((b & 0x80) != 0 == last) {
        return false; // ends early, or runs past the end
      }
      value |= (long) (b & 0x7F) << (7 * i);
    }
    if (length == 10 && bytes[bytes.length - 1] != 1) {
      return false; // bits beyond the 64th, dropped by parsing
    }
    if (length != CodedOutputStream.computeUInt64SizeNoTag(value)) {
      return false; // padded
    }
    return switch (field) {
      case Value.INT32_VAL_FIELD_NUMBER -> value == (int) value; // written sign-extended
      case Value.BOOL_VAL_FIELD_NUMBER -> value == 0 || value == 1;
      default -> true;
    };
  }

  private static boolean isCanonicalLengthDelimited(byte[] bytes, int position, int field) {
    int length = 0;
    int shift = 0;
    int lengthBytes = 0;
    while (true) {
      if (position + lengthBytes >= bytes.length || lengthBytes == 5) {
        return false;
      }
      int b = bytes[position + lengthBytes++];
      length |= (b & 0x7F) << shift;
      shift += 7;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    int start = position + lengthBytes;
    if (length < 0
        || lengthBytes != CodedOutputStream.computeUInt32SizeNoTag(length)
        || bytes.length - start != length) {
      return false;
    }
    // proto3 strings must be UTF-8: parsing refuses anything else.
    return field != Value.STRING_VAL_FIELD_NUMBER
        || Utf8.isWellFormed(bytes, start, bytes.length - start);
  }
}
