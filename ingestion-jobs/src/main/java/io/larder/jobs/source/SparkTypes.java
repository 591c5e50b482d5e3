package io.larder.jobs.source;

import com.google.protobuf.ByteString;
import io.larder.proto.types.ValueProto.BoolList;
import io.larder.proto.types.ValueProto.BytesList;
import io.larder.proto.types.ValueProto.DoubleList;
import io.larder.proto.types.ValueProto.FloatList;
import io.larder.proto.types.ValueProto.Int32List;
import io.larder.proto.types.ValueProto.Int64List;
import io.larder.proto.types.ValueProto.StringList;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** Feast value types as Spark column types, and Spark column values as Feast {@link Value}s. */
public final class SparkTypes {

  private static final Value NULL = Value.getDefaultInstance();

  private SparkTypes() {}

  /** The Spark type a column of {@code type} values has in canonical rows. */
  public static DataType of(ValueType.Enum type) {
    return switch (type) {
      case BYTES -> DataTypes.BinaryType;
      case STRING -> DataTypes.StringType;
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case DOUBLE -> DataTypes.DoubleType;
      case FLOAT -> DataTypes.FloatType;
      case BOOL -> DataTypes.BooleanType;
      case BYTES_LIST -> DataTypes.createArrayType(DataTypes.BinaryType);
      case STRING_LIST -> DataTypes.createArrayType(DataTypes.StringType);
      case INT32_LIST -> DataTypes.createArrayType(DataTypes.IntegerType);
      case INT64_LIST -> DataTypes.createArrayType(DataTypes.LongType);
      case DOUBLE_LIST -> DataTypes.createArrayType(DataTypes.DoubleType);
      case FLOAT_LIST -> DataTypes.createArrayType(DataTypes.FloatType);
      case BOOL_LIST -> DataTypes.createArrayType(DataTypes.BooleanType);
      default -> throw new IllegalArgumentException("value type " + type + " cannot be stored");
    };
  }

  /**
   * Column {@code index} of a canonical row as a Feast value; null becomes a value with no case set
   * (what the online store treats as a null feature).
   */
  public static Value toValue(Row row, int index, ValueType.Enum type) {
    if (row.isNullAt(index)) {
      return NULL;
    }
    return switch (type) {
      case BYTES ->
          Value.newBuilder().setBytesVal(ByteString.copyFrom((byte[]) row.get(index))).build();
      case STRING -> Value.newBuilder().setStringVal(row.getString(index)).build();
      case INT32 -> Value.newBuilder().setInt32Val(row.getInt(index)).build();
      case INT64 -> Value.newBuilder().setInt64Val(row.getLong(index)).build();
      case DOUBLE -> Value.newBuilder().setDoubleVal(row.getDouble(index)).build();
      case FLOAT -> Value.newBuilder().setFloatVal(row.getFloat(index)).build();
      case BOOL -> Value.newBuilder().setBoolVal(row.getBoolean(index)).build();
      default -> listValue(row.getList(index), type);
    };
  }

  private static Value listValue(List<Object> items, ValueType.Enum type) {
    Value.Builder value = Value.newBuilder();
    switch (type) {
      case BYTES_LIST -> {
        BytesList.Builder list = BytesList.newBuilder();
        items.forEach(i -> list.addVal(ByteString.copyFrom((byte[]) i)));
        value.setBytesListVal(list);
      }
      case STRING_LIST -> {
        StringList.Builder list = StringList.newBuilder();
        items.forEach(i -> list.addVal((String) i));
        value.setStringListVal(list);
      }
      case INT32_LIST -> {
        Int32List.Builder list = Int32List.newBuilder();
        items.forEach(i -> list.addVal((Integer) i));
        value.setInt32ListVal(list);
      }
      case INT64_LIST -> {
        Int64List.Builder list = Int64List.newBuilder();
        items.forEach(i -> list.addVal((Long) i));
        value.setInt64ListVal(list);
      }
      case DOUBLE_LIST -> {
        DoubleList.Builder list = DoubleList.newBuilder();
        items.forEach(i -> list.addVal((Double) i));
        value.setDoubleListVal(list);
      }
      case FLOAT_LIST -> {
        FloatList.Builder list = FloatList.newBuilder();
        items.forEach(i -> list.addVal((Float) i));
        value.setFloatListVal(list);
      }
      case BOOL_LIST -> {
        BoolList.Builder list = BoolList.newBuilder();
        items.forEach(i -> list.addVal((Boolean) i));
        value.setBoolListVal(list);
      }
      default -> throw new IllegalArgumentException("value type " + type + " cannot be stored");
    }
    return value.build();
  }
}
