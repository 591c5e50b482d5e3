package io.larder.onlinestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.larder.proto.larder.PackedProto.PackedFeature;
import io.larder.proto.larder.PackedProto.PackedRow;
import io.larder.proto.types.ValueProto.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packed layout's bytes, as docs/PACKED_ONLINE_LAYOUT.md gives them. */
class PackedRowsTest {

  private static final Timestamp NEW_YEAR = Timestamp.newBuilder().setSeconds(1767225600).build();

  private static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  @Test
  void theKeyIsThePrefixedHashLayoutKey() {
    byte[] entityKey = OnlineStoreKeys.entityKey("demo", Map.of("driver_id", int64(1001)));
    byte[] key = PackedRows.key(PackedRows.keyPrefix("driver_stats"), entityKey);

    assertThat(HexFormat.ofDelimiter(" ").formatHex(key))
        .isEqualTo(
            HexFormat.ofDelimiter(" ")
                    .formatHex("_p:driver_stats:".getBytes(StandardCharsets.UTF_8))
                + " 0a 04 64 65 6d 6f 12 09 64 72 69 76 65 72 5f 69 64 1a 03 20 e9 07");
  }

  @Test
  void aFeatureIdIsTheHashLayoutFieldAsALittleEndianFixed32() throws Exception {
    int id = PackedRows.featureId("t", "trips");
    byte[] row = PackedRows.row(NEW_YEAR, new int[] {id}, List.of(int64(10)));

    PackedRow parsed = PackedRow.parseFrom(row);
    assertThat(parsed.getEventTimestamp()).isEqualTo(NEW_YEAR);
    assertThat(parsed.getFeaturesList())
        .containsExactly(PackedFeature.newBuilder().setId(id).setValue(int64(10)).build());
    byte[] field = OnlineStoreKeys.featureField("t", "trips");
    byte[] expected =
        HexFormat.of()
            .parseHex(
                "0a060880f2d6ca06" + "1209" + "0d" + HexFormat.of().formatHex(field) + "1202200a");
    assertThat(row).isEqualTo(expected);
  }

  @Test
  void nullValuesAreLeftOutAndTheBytesAreWhatProtobufWrites() throws Exception {
    int[] ids = {1, 2, 3};
    List<Value> values = new ArrayList<>(Arrays.asList(int64(1), null, Value.getDefaultInstance()));
    byte[] row = PackedRows.row(NEW_YEAR, ids, values);

    PackedRow expected =
        PackedRow.newBuilder()
            .setEventTimestamp(NEW_YEAR)
            .addFeatures(PackedFeature.newBuilder().setId(1).setValue(int64(1)))
            .build();
    assertThat(row).isEqualTo(expected.toByteArray());
  }

  @Test
  void scanReportsEveryFieldInAnyOrderAndSkipsUnknownOnes() {
    PackedRow written =
        PackedRow.newBuilder()
            .addFeatures(PackedFeature.newBuilder().setId(-7).setValue(int64(7)))
            .setEventTimestamp(NEW_YEAR)
            .addFeatures(PackedFeature.newBuilder().setId(42))
            .build();
    byte[] withUnknownField =
        concat(written.toByteArray(), new byte[] {(byte) 0x98, 0x06, 0x01}); // field 99, varint
    Map<Integer, Value> features = new LinkedHashMap<>();
    byte[][] timestamp = new byte[1][];

    boolean parsed =
        PackedRows.scan(
            withUnknownField,
            new PackedRows.RowVisitor() {
              @Override
              public void eventTimestamp(byte[] bytes) {
                timestamp[0] = bytes;
              }

              @Override
              public void feature(int id, byte[] value) {
                try {
                  features.put(id, Value.parseFrom(value));
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
            });

    assertThat(parsed).isTrue();
    assertThat(timestamp[0]).isEqualTo(NEW_YEAR.toByteArray());
    // An entry without a value is an unset Value: NULL_VALUE when read.
    assertThat(features)
        .containsExactly(Map.entry(-7, int64(7)), Map.entry(42, Value.getDefaultInstance()));
  }

  @Test
  void scanAgreesWithProtobufForShortAndLongValuesAndTruncations() throws Exception {
    java.util.Random random = new java.util.Random(42);
    for (int trial = 0; trial < 500; trial++) {
      int count = random.nextInt(8);
      int[] ids = new int[count];
      List<Value> values = new ArrayList<>();
      for (int f = 0; f < count; f++) {
        ids[f] = random.nextInt();
        values.add(
            switch (random.nextInt(4)) {
              case 0 -> int64(random.nextLong());
              case 1 -> Value.newBuilder().setStringVal("x".repeat(random.nextInt(300))).build();
              case 2 -> Value.newBuilder().setDoubleVal(random.nextDouble()).build();
              default -> null;
            });
      }
      Timestamp time =
          Timestamp.newBuilder()
              .setSeconds(random.nextLong())
              .setNanos(random.nextInt(1000))
              .build();
      byte[] row = PackedRows.row(time, ids, values);
      PackedRow expected = PackedRow.parseFrom(row);

      List<String> seen = new ArrayList<>();
      assertThat(PackedRows.scan(row, recorder(seen))).isTrue();
      List<String> wanted = new ArrayList<>();
      wanted.add("ts " + HexFormat.of().formatHex(expected.getEventTimestamp().toByteArray()));
      expected
          .getFeaturesList()
          .forEach(
              f ->
                  wanted.add(
                      f.getId() + " " + HexFormat.of().formatHex(f.getValue().toByteArray())));
      assertThat(seen).as("trial %d", trial).isEqualTo(wanted);

      // A truncated row never reports a half: it scans whole or not at all, as protobuf parses.
      byte[] cut = Arrays.copyOf(row, random.nextInt(row.length + 1));
      List<String> partial = new ArrayList<>();
      boolean parsed = PackedRows.scan(cut, recorder(partial));
      boolean protobufParses;
      try {
        PackedRow.parseFrom(cut);
        protobufParses = true;
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        protobufParses = false;
      }
      assertThat(parsed)
          .as("trial %d, %d of %d bytes", trial, cut.length, row.length)
          .isEqualTo(protobufParses);
    }
  }

  private static PackedRows.RowVisitor recorder(List<String> seen) {
    return new PackedRows.RowVisitor() {
      @Override
      public void eventTimestamp(byte[] timestamp) {
        seen.add("ts " + HexFormat.of().formatHex(timestamp));
      }

      @Override
      public void feature(int id, byte[] value) {
        seen.add(id + " " + HexFormat.of().formatHex(value));
      }
    };
  }

  @Test
  void bytesThatAreNotAPackedRowDoNotScan() {
    assertThat(PackedRows.scan(new byte[] {0x0a, 0x7f}, new NoVisitor())).isFalse();
    assertThat(PackedRows.scan(new byte[] {(byte) 0xff}, new NoVisitor())).isFalse();
  }

  @Test
  void theLayoutLabelDefaultsToHashAndRefusesUnknownValues() {
    assertThat(OnlineLayout.of(Map.of())).isEqualTo(OnlineLayout.HASH);
    assertThat(OnlineLayout.of(Map.of(OnlineLayout.LABEL, "packed")))
        .isEqualTo(OnlineLayout.PACKED);
    assertThatThrownBy(() -> OnlineLayout.of(Map.of(OnlineLayout.LABEL, "Packed")))
        .hasMessageContaining("hash, packed")
        .hasMessageContaining("'Packed'");
  }

  private static final class NoVisitor implements PackedRows.RowVisitor {
    @Override
    public void eventTimestamp(byte[] timestamp) {}

    @Override
    public void feature(int id, byte[] value) {}
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
