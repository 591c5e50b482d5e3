package io.larder.onlinestore;

import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;

/** How declared value types relate to stored values. */
public final class OnlineValues {

  private OnlineValues() {}

  /** The Value case a declared type is stored as; VAL_NOT_SET for INVALID. */
  public static Value.ValCase caseOf(ValueType.Enum type) {
    return switch (type) {
      case BYTES -> Value.ValCase.BYTES_VAL;
      case STRING -> Value.ValCase.STRING_VAL;
      case INT32 -> Value.ValCase.INT32_VAL;
      case INT64 -> Value.ValCase.INT64_VAL;
      case DOUBLE -> Value.ValCase.DOUBLE_VAL;
      case FLOAT -> Value.ValCase.FLOAT_VAL;
      case BOOL -> Value.ValCase.BOOL_VAL;
      case BYTES_LIST -> Value.ValCase.BYTES_LIST_VAL;
      case STRING_LIST -> Value.ValCase.STRING_LIST_VAL;
      case INT32_LIST -> Value.ValCase.INT32_LIST_VAL;
      case INT64_LIST -> Value.ValCase.INT64_LIST_VAL;
      case DOUBLE_LIST -> Value.ValCase.DOUBLE_LIST_VAL;
      case FLOAT_LIST -> Value.ValCase.FLOAT_LIST_VAL;
      case BOOL_LIST -> Value.ValCase.BOOL_LIST_VAL;
      case INVALID, UNRECOGNIZED -> Value.ValCase.VAL_NOT_SET;
    };
  }

  public static boolean hasType(Value value, ValueType.Enum type) {
    return value.getValCase() == caseOf(type) && value.getValCase() != Value.ValCase.VAL_NOT_SET;
  }
}
