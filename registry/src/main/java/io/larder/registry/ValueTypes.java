package io.larder.registry;

import io.larder.proto.types.ValueProto.ValueType;

/** Value types an entity or feature may declare. */
public final class ValueTypes {

  private ValueTypes() {}

  public static void check(String field, int valueType) {
    ValueType.Enum type = ValueType.Enum.forNumber(valueType);
    if (type == null || type == ValueType.Enum.INVALID) {
      throw RegistryException.invalid(
          "%s: %d is not a valid value type (use one of BYTES, STRING, INT32, INT64, DOUBLE,"
              + " FLOAT, BOOL or their _LIST forms)",
          field, valueType);
    }
  }
}
