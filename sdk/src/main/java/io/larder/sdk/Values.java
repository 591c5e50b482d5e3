package io.larder.sdk;

import com.google.protobuf.ByteString;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2.EntityRow;
import io.larder.proto.types.ValueProto.Value;

/** Java values to and from Feast {@code Value}s, for entity rows and printing results. */
public final class Values {

  private Values() {}

  /** Long → int64, Integer → int32, String, Double, Float, Boolean, byte[] → their kinds. */
  public static Value of(Object value) {
    Value.Builder builder = Value.newBuilder();
    if (value == null) {
      return builder.build();
    } else if (value instanceof Value v) {
      return v;
    } else if (value instanceof Long v) {
      return builder.setInt64Val(v).build();
    } else if (value instanceof Integer v) {
      return builder.setInt32Val(v).build();
    } else if (value instanceof String v) {
      return builder.setStringVal(v).build();
    } else if (value instanceof Double v) {
      return builder.setDoubleVal(v).build();
    } else if (value instanceof Float v) {
      return builder.setFloatVal(v).build();
    } else if (value instanceof Boolean v) {
      return builder.setBoolVal(v).build();
    } else if (value instanceof byte[] v) {
      return builder.setBytesVal(ByteString.copyFrom(v)).build();
    }
    throw new IllegalArgumentException(
        "no Feast value type for %s (%s)".formatted(value, value.getClass().getName()));
  }

  /** One entity row from name/value pairs: {@code entityRow("driver_id", 1001L)}. */
  public static EntityRow entityRow(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("entity row needs name/value pairs");
    }
    EntityRow.Builder row = EntityRow.newBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      row.putFields(String.valueOf(namesAndValues[i]), of(namesAndValues[i + 1]));
    }
    return row.build();
  }

  /** The Java value a Feast value holds (null when none is set). */
  public static Object toJava(Value value) {
    return switch (value.getValCase()) {
      case INT64_VAL -> value.getInt64Val();
      case INT32_VAL -> value.getInt32Val();
      case STRING_VAL -> value.getStringVal();
      case DOUBLE_VAL -> value.getDoubleVal();
      case FLOAT_VAL -> value.getFloatVal();
      case BOOL_VAL -> value.getBoolVal();
      case BYTES_VAL -> value.getBytesVal().toByteArray();
      case INT64_LIST_VAL -> value.getInt64ListVal().getValList();
      case INT32_LIST_VAL -> value.getInt32ListVal().getValList();
      case STRING_LIST_VAL -> value.getStringListVal().getValList();
      case DOUBLE_LIST_VAL -> value.getDoubleListVal().getValList();
      case FLOAT_LIST_VAL -> value.getFloatListVal().getValList();
      case BOOL_LIST_VAL -> value.getBoolListVal().getValList();
      case BYTES_LIST_VAL -> value.getBytesListVal().getValList();
      default -> null;
    };
  }

  /** Text of a value for tables: numbers and text as they are, bytes as base64, none as empty. */
  public static String text(Value value) {
    Object held = toJava(value);
    if (held instanceof byte[] bytes) {
      return java.util.Base64.getEncoder().encodeToString(bytes);
    }
    return held == null ? "" : String.valueOf(held);
  }
}
