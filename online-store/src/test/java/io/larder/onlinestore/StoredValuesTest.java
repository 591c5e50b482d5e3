package io.larder.onlinestore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.larder.proto.types.ValueProto.DoubleList;
import io.larder.proto.types.ValueProto.Int64List;
import io.larder.proto.types.ValueProto.StringList;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StoredValues#canonical} agrees with parsing and writing again, on canonical bytes (which
 * it passes through untouched) and on every other legal or broken encoding of a Value.
 */
class StoredValuesTest {

  private static final ValueType.Enum[] TYPES = {
    ValueType.Enum.BYTES, ValueType.Enum.STRING, ValueType.Enum.INT32, ValueType.Enum.INT64,
    ValueType.Enum.DOUBLE, ValueType.Enum.FLOAT, ValueType.Enum.BOOL, ValueType.Enum.INT64_LIST,
    ValueType.Enum.STRING_LIST, ValueType.Enum.DOUBLE_LIST
  };

  @Test
  void canonicalScalarsPassThroughAsTheyAre() {
    Random random = new Random(1);
    for (int i = 0; i < 5_000; i++) {
      Value value = value(random);
      byte[] stored = value.toByteArray();
      ValueType.Enum declared = typeOf(value);
      byte[] answered = StoredValues.canonical(stored, declared);
      assertThat(answered).as("%s", value).isEqualTo(stored);
      if (declared.getNumber() <= 7) {
        assertThat(answered).as("no copy of %s", value).isSameAs(stored);
      }
    }
  }

  @Test
  void agreesWithParsingOnMangledEncodings() throws IOException {
    Random random = new Random(2);
    for (int i = 0; i < 20_000; i++) {
      byte[] stored = mangle(value(random).toByteArray(), random);
      for (ValueType.Enum declared : TYPES) {
        assertThat(StoredValues.canonical(stored, declared))
            .as("%s as %s", Arrays.toString(stored), declared)
            .isEqualTo(reference(stored, declared));
      }
    }
  }

  @Test
  void nonCanonicalFormsOfAValueAreWrittenAgain() throws IOException {
    // int64_val 1 with its varint padded to two bytes.
    assertThat(StoredValues.canonical(new byte[] {0x20, (byte) 0x81, 0x00}, ValueType.Enum.INT64))
        .isEqualTo(Value.newBuilder().setInt64Val(1).build().toByteArray());
    // bool_val written as 2.
    assertThat(StoredValues.canonical(new byte[] {0x38, 0x02}, ValueType.Enum.BOOL))
        .isEqualTo(Value.newBuilder().setBoolVal(true).build().toByteArray());
    // int32_val -1 written in five bytes (not sign-extended to ten).
    assertThat(
            StoredValues.canonical(
                new byte[] {0x18, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
                ValueType.Enum.INT32))
        .isEqualTo(Value.newBuilder().setInt32Val(-1).build().toByteArray());
    // An invalid UTF-8 string does not parse: not found, as before.
    assertThat(StoredValues.canonical(new byte[] {0x12, 0x01, (byte) 0xC0}, ValueType.Enum.STRING))
        .isNull();
    // Wrong type, and no value at all.
    assertThat(
            StoredValues.canonical(
                Value.newBuilder().setInt64Val(5).build().toByteArray(), ValueType.Enum.DOUBLE))
        .isNull();
    assertThat(StoredValues.canonical(new byte[0], ValueType.Enum.INT64))
        .isSameAs(StoredValues.UNSET);
  }

  /** What reading the value the generic way gives. */
  private static byte[] reference(byte[] stored, ValueType.Enum declared) {
    Value value;
    try {
      value = Value.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
    if (value.getValCase() == Value.ValCase.VAL_NOT_SET) {
      return StoredValues.UNSET;
    }
    return OnlineValues.hasType(value, declared) ? value.toByteArray() : null;
  }

  private static byte[] mangle(byte[] bytes, Random random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    switch (random.nextInt(8)) {
      case 0 -> { // truncated
        return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      }
      case 1 -> { // a byte flipped
        byte[] copy = bytes.clone();
        if (copy.length > 0) {
          copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
      }
      case 2 -> { // an unknown field after it
        out.write(bytes);
        CodedOutputStream coded = CodedOutputStream.newInstance(out);
        coded.writeInt64(20 + random.nextInt(5), random.nextLong());
        coded.flush();
        return out.toByteArray();
      }
      case 3 -> { // another case after it (the last one wins)
        out.write(bytes);
        out.write(Value.newBuilder().setInt64Val(random.nextLong()).build().toByteArray());
        return out.toByteArray();
      }
      case 4 -> { // a padded varint length or value
        if (bytes.length >= 2 && (bytes[1] & 0x80) == 0) {
          out.write(bytes[0]);
          out.write(bytes[1] | 0x80);
          out.write(0);
          out.write(bytes, 2, bytes.length - 2);
          return out.toByteArray();
        }
        return bytes;
      }
      case 5 -> { // garbage
        byte[] garbage = new byte[random.nextInt(12)];
        random.nextBytes(garbage);
        return garbage;
      }
      default -> {
        return bytes;
      }
    }
  }

  private static Value value(Random random) {
    Value.Builder value = Value.newBuilder();
    switch (random.nextInt(10)) {
      case 0 -> {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        value.setBytesVal(ByteString.copyFrom(bytes));
      }
      case 1 ->
          value.setStringVal(
              random.nextBoolean() ? "caf\u00e9 \ud83d\ude00" : "x".repeat(random.nextInt(200)));
      case 2 -> value.setInt32Val(random.nextBoolean() ? random.nextInt() : -random.nextInt(5));
      case 3 -> value.setInt64Val(random.nextBoolean() ? random.nextLong() : random.nextInt(300));
      case 4 -> value.setDoubleVal(random.nextGaussian());
      case 5 -> value.setFloatVal(random.nextFloat());
      case 6 -> value.setBoolVal(random.nextBoolean());
      case 7 -> value.setInt64ListVal(Int64List.newBuilder().addVal(random.nextLong()).addVal(-1));
      case 8 -> value.setStringListVal(StringList.newBuilder().addVal("a").addVal(""));
      default -> value.setDoubleListVal(DoubleList.newBuilder().addVal(random.nextDouble()));
    }
    return value.build();
  }

  private static ValueType.Enum typeOf(Value value) {
    return switch (value.getValCase()) {
      case BYTES_VAL -> ValueType.Enum.BYTES;
      case STRING_VAL -> ValueType.Enum.STRING;
      case INT32_VAL -> ValueType.Enum.INT32;
      case INT64_VAL -> ValueType.Enum.INT64;
      case DOUBLE_VAL -> ValueType.Enum.DOUBLE;
      case FLOAT_VAL -> ValueType.Enum.FLOAT;
      case BOOL_VAL -> ValueType.Enum.BOOL;
      case INT64_LIST_VAL -> ValueType.Enum.INT64_LIST;
      case STRING_LIST_VAL -> ValueType.Enum.STRING_LIST;
      case DOUBLE_LIST_VAL -> ValueType.Enum.DOUBLE_LIST;
      default -> throw new IllegalArgumentException(value.toString());
    };
  }
}
