package io.larder.onlinestore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.larder.onlinestore.OnlineRowReader.Freshness;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.storage.RedisProto.RedisKeyV2;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnlineStoreLayoutTest {

  private static final long SECOND = 1_000_000_000L;

  private static Value int64(long value) {
    return Value.newBuilder().setInt64Val(value).build();
  }

  @Test
  void featureFieldsAreLittleEndianMurmur3() {
    // The check value of the layout contract: murmur3_32("hello") = 0x248bfa47.
    assertThat(OnlineStoreKeys.murmur3("hello"))
        .containsExactly((byte) 0x47, (byte) 0xfa, (byte) 0x8b, (byte) 0x24);
    assertThat(OnlineStoreKeys.featureField("driver_stats", "trips"))
        .isEqualTo(OnlineStoreKeys.murmur3("driver_stats:trips"));
  }

  @Test
  void entityKeySortsEntityNamesWhateverTheRequestOrder() throws Exception {
    Map<String, Value> requestOrder = new LinkedHashMap<>();
    requestOrder.put("driver_id", int64(7));
    requestOrder.put("customer_id", Value.newBuilder().setStringVal("c1").build());

    RedisKeyV2 key = RedisKeyV2.parseFrom(OnlineStoreKeys.entityKey("rides", requestOrder));

    assertThat(key.getProject()).isEqualTo("rides");
    assertThat(key.getEntityNamesList()).containsExactly("customer_id", "driver_id");
    assertThat(key.getEntityValuesList())
        .containsExactly(Value.newBuilder().setStringVal("c1").build(), int64(7));
  }

  @Test
  void tableFieldsAreAsciiPrefixed() {
    assertThat(
            new String(OnlineStoreKeys.timestampField("driver_stats"), StandardCharsets.US_ASCII))
        .isEqualTo("_ts:driver_stats");
    assertThat(new String(OnlineStoreKeys.expiryField("driver_stats"), StandardCharsets.US_ASCII))
        .isEqualTo("_ex:driver_stats");
  }

  @Test
  void writerSkipsNullsAndReaderGetsEveryValueBack() {
    Map<String, Value> features = new LinkedHashMap<>();
    features.put("trips", int64(3));
    features.put("rating", Value.getDefaultInstance());
    Timestamp eventTime = Timestamp.newBuilder().setSeconds(1_000).build();

    Map<byte[], byte[]> fields = OnlineRowWriter.fields("t", features, eventTime, null);

    assertThat(fields).hasSize(2);
    byte[] stored = fields.get(fields.keySet().iterator().next());
    Freshness freshness = OnlineRowReader.freshness(eventTime.toByteArray(), 0, 5_000 * SECOND);
    assertThat(OnlineRowReader.read(stored, ValueType.Enum.INT64, freshness).value())
        .isEqualTo(int64(3));
    assertThat(OnlineRowWriter.nullFields("t", features))
        .containsExactly(OnlineStoreKeys.featureField("t", "rating"));
  }

  @Test
  void statusesFollowTheLayoutRules() {
    byte[] ts = Timestamp.newBuilder().setSeconds(100).build().toByteArray();
    byte[] value = int64(1).toByteArray();
    Freshness fresh = OnlineRowReader.freshness(ts, 10 * SECOND, 105 * SECOND);

    assertThat(OnlineRowReader.read(value, ValueType.Enum.INT64, fresh).status())
        .isEqualTo(FieldStatus.PRESENT);
    assertThat(OnlineRowReader.read(null, ValueType.Enum.INT64, fresh).status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(
            OnlineRowReader.read(value, ValueType.Enum.INT64, OnlineRowReader.freshness(null, 0, 0))
                .status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(
            OnlineRowReader.read(
                    Value.getDefaultInstance().toByteArray(), ValueType.Enum.INT64, fresh)
                .status())
        .isEqualTo(FieldStatus.NULL_VALUE);
    assertThat(OnlineRowReader.read(value, ValueType.Enum.STRING, fresh).status())
        .isEqualTo(FieldStatus.NOT_FOUND);
    assertThat(OnlineRowReader.read(value, ValueType.Enum.STRING, fresh).value())
        .isEqualTo(Value.getDefaultInstance());
  }

  @Test
  void maxAgeBoundaryIsInclusive() {
    byte[] ts = Timestamp.newBuilder().setSeconds(100).build().toByteArray();

    assertThat(OnlineRowReader.freshness(ts, 10 * SECOND, 110 * SECOND)).isEqualTo(Freshness.FRESH);
    assertThat(OnlineRowReader.freshness(ts, 10 * SECOND, 110 * SECOND + 1))
        .isEqualTo(Freshness.STALE);
    assertThat(OnlineRowReader.freshness(ts, 0, Long.MAX_VALUE)).isEqualTo(Freshness.FRESH);
    assertThat(
            OnlineRowReader.read(
                    int64(1).toByteArray(),
                    ValueType.Enum.INT64,
                    OnlineRowReader.freshness(ts, 10 * SECOND, 200 * SECOND))
                .status())
        .isEqualTo(FieldStatus.OUTSIDE_MAX_AGE);
  }
}
