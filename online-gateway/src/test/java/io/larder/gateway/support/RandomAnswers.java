package io.larder.gateway.support;

import com.google.protobuf.ByteString;
import io.larder.gateway.lookup.OnlineAnswer;
import io.larder.proto.types.ValueProto.BoolList;
import io.larder.proto.types.ValueProto.BytesList;
import io.larder.proto.types.ValueProto.DoubleList;
import io.larder.proto.types.ValueProto.FloatList;
import io.larder.proto.types.ValueProto.Int32List;
import io.larder.proto.types.ValueProto.Int64List;
import io.larder.proto.types.ValueProto.StringList;
import io.larder.proto.types.ValueProto.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Random answers for the encoder property tests: every value type (lists too, empty ones, extreme
 * and non-finite numbers, strings that need escaping), every status, several tables, rows that
 * repeat, rows with and without echoed entity fields.
 */
public final class RandomAnswers {

  private static final String[] AWKWARD = {
    "",
    "plain",
    "quote\"d",
    "back\\slash",
    "new\nline",
    "tab\t",
    "\u0000nul",
    "\u001f",
    "caf\u00e9",
    "\u4e2d\u6587",
    "emoji \ud83d\ude00",
    "</script>",
    "\u2028sep"
  };

  private final Random random;

  public RandomAnswers(long seed) {
    this.random = new Random(seed);
  }

  public OnlineAnswer next() {
    int tables = 1 + random.nextInt(4);
    Set<String> references = new LinkedHashSet<>();
    int slots = 1 + random.nextInt(12);
    while (references.size() < slots) {
      String table = "table_" + random.nextInt(tables) + (random.nextInt(5) == 0 ? text() : "");
      references.add(table + ":" + (random.nextBoolean() ? "f" + random.nextInt(50) : text()));
    }
    int rows = random.nextInt(8);
    byte[] statuses = new byte[rows * slots];
    byte[][] values = new byte[rows * slots][];
    List<Map<String, Value>> echoed = new ArrayList<>();
    int entities = random.nextInt(3);
    for (int row = 0; row < rows; row++) {
      if (row > 0 && random.nextInt(4) == 0) {
        // A duplicate of the previous row.
        echoed.add(echoed.get(row - 1));
        System.arraycopy(statuses, (row - 1) * slots, statuses, row * slots, slots);
        System.arraycopy(values, (row - 1) * slots, values, row * slots, slots);
        continue;
      }
      Map<String, Value> fields = new LinkedHashMap<>();
      for (int e = 0; e < entities; e++) {
        fields.put(e == 0 ? "driver_id" : "entity_" + e + text(), value());
      }
      echoed.add(fields);
      for (int slot = 0; slot < slots; slot++) {
        int cell = row * slots + slot;
        int status = 1 + random.nextInt(4); // PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE
        statuses[cell] = (byte) status;
        values[cell] = status == 1 ? value().toByteArray() : null;
      }
    }
    return new OnlineAnswer(
        random.nextInt(3) == 0 ? 0 : random.nextInt(100_000),
        echoed,
        references.toArray(String[]::new),
        statuses,
        values);
  }

  /** A Value with a case set: every case, lists of 0-4 elements. */
  public Value value() {
    int size = random.nextInt(5);
    Value.Builder value = Value.newBuilder();
    switch (random.nextInt(14)) {
      case 0 -> value.setBytesVal(bytes());
      case 1 -> value.setStringVal(text());
      case 2 -> value.setInt32Val(int32());
      case 3 -> value.setInt64Val(int64());
      case 4 -> value.setDoubleVal(float64());
      case 5 -> value.setFloatVal((float) float64());
      case 6 -> value.setBoolVal(random.nextBoolean());
      case 7 -> {
        BytesList.Builder list = BytesList.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(bytes());
        }
        value.setBytesListVal(list);
      }
      case 8 -> {
        StringList.Builder list = StringList.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(text());
        }
        value.setStringListVal(list);
      }
      case 9 -> {
        Int32List.Builder list = Int32List.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(int32());
        }
        value.setInt32ListVal(list);
      }
      case 10 -> {
        Int64List.Builder list = Int64List.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(int64());
        }
        value.setInt64ListVal(list);
      }
      case 11 -> {
        DoubleList.Builder list = DoubleList.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(float64());
        }
        value.setDoubleListVal(list);
      }
      case 12 -> {
        FloatList.Builder list = FloatList.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal((float) float64());
        }
        value.setFloatListVal(list);
      }
      default -> {
        BoolList.Builder list = BoolList.newBuilder();
        for (int i = 0; i < size; i++) {
          list.addVal(random.nextBoolean());
        }
        value.setBoolListVal(list);
      }
    }
    return value.build();
  }

  public String text() {
    return random.nextBoolean()
        ? AWKWARD[random.nextInt(AWKWARD.length)]
        : Long.toString(random.nextLong(), 36);
  }

  private ByteString bytes() {
    byte[] bytes = new byte[random.nextInt(40)];
    random.nextBytes(bytes);
    return ByteString.copyFrom(bytes);
  }

  private int int32() {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
      case 2 -> -random.nextInt(1000);
      default -> random.nextInt();
    };
  }

  private long int64() {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
      case 2 -> -random.nextInt(1000);
      default -> random.nextLong();
    };
  }

  private double float64() {
    return switch (random.nextInt(8)) {
      case 0 -> 0.0;
      case 1 -> -0.0;
      case 2 -> Double.NaN;
      case 3 -> random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      case 4 -> random.nextBoolean() ? Double.MIN_VALUE : Double.MAX_VALUE;
      case 5 -> random.nextInt(1000) / 8.0;
      default -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
    };
  }
}
