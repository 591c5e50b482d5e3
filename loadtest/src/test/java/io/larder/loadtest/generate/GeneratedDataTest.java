package io.larder.loadtest.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.larder.loadtest.baseline.HmgetRequests;
import io.larder.loadtest.shape.BenchmarkShape;
import io.larder.onlinestore.OnlineRowReader;
import io.larder.onlinestore.OnlineRowReader.Freshness;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the generator writes is what the baseline and the gateway read, PRESENT. */
class GeneratedDataTest {

  private static final Timestamp EVENT_TIME = Timestamp.newBuilder().setSeconds(1_000).build();
  private static final Timestamp EXPIRY = Timestamp.newBuilder().setSeconds(2_000).build();

  private final BenchmarkShape shape = new BenchmarkShape("bench", "entity_id", 1_000, 5, 10);

  @Test
  void anEntityHoldsEveryFeatureATimestampAndAnExpiryPerTable() {
    Map<ByteBuffer, byte[]> row = byName(BenchmarkRows.fields(shape, 5, EVENT_TIME, EXPIRY));

    assertThat(row).hasSize(50 + 5 + 5);
    for (int table = 0; table < 5; table++) {
      String name = shape.tableName(table);
      assertThat(row.get(ByteBuffer.wrap(OnlineStoreKeys.timestampField(name))))
          .isEqualTo(EVENT_TIME.toByteArray());
      assertThat(row.get(ByteBuffer.wrap(OnlineStoreKeys.expiryField(name))))
          .isEqualTo(EXPIRY.toByteArray());
    }
  }

  @Test
  void everyFieldTheBaselineReadsIsWrittenAndReadsBackPresent() {
    Map<ByteBuffer, byte[]> row = byName(BenchmarkRows.fields(shape, 5, EVENT_TIME, null));
    List<byte[]> hmgetFields = new HmgetRequests(shape, 1, 50).fields();

    assertThat(hmgetFields)
        .allSatisfy(field -> assertThat(row).containsKey(ByteBuffer.wrap(field)));
    assertThat(row).doesNotContainKey(ByteBuffer.wrap(OnlineStoreKeys.expiryField("table_0")));
    for (int table = 0; table < 5; table++) {
      byte[] ts = row.get(ByteBuffer.wrap(OnlineStoreKeys.timestampField(shape.tableName(table))));
      Freshness freshness =
          OnlineRowReader.freshness(
              ts, TimeUnit.DAYS.toNanos(1), TimeUnit.SECONDS.toNanos(EVENT_TIME.getSeconds() + 60));
      for (int feature = 0; feature < 10; feature++) {
        byte[] stored =
            row.get(
                ByteBuffer.wrap(
                    OnlineStoreKeys.featureField(
                        shape.tableName(table), shape.featureName(feature))));
        OnlineRowReader.FeatureValue value =
            OnlineRowReader.read(stored, shape.featureType(feature), freshness);
        assertThat(value.status()).isEqualTo(FieldStatus.PRESENT);
        assertThat(value.value()).isEqualTo(shape.featureValue(5, table, feature));
      }
    }
  }

  private static Map<ByteBuffer, byte[]> byName(Map<byte[], byte[]> fields) {
    Map<ByteBuffer, byte[]> byName = new HashMap<>();
    fields.forEach((name, value) -> byName.put(ByteBuffer.wrap(name), value));
    return byName;
  }
}
