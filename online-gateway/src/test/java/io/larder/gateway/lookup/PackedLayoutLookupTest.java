package io.larder.gateway.lookup;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.request;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.larder.gateway.featurespec.FeatureSpecSnapshot;
import io.larder.gateway.support.InMemoryOnlineStore;
import io.larder.gateway.support.Specs;
import io.larder.onlinestore.OnlineLayout;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.onlinestore.PackedRows;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lookups of packed-layout tables, alone and mixed with hash-layout tables in one request. */
class PackedLayoutLookupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String P = "p";
  private static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);

  /** The same features twice: one table per layout, so their answers can be compared. */
  private static FeatureTableSpec stats(String name, OnlineLayout layout) {
    return table(name)
        .entities("driver_id")
        .feature("trips", ValueType.Enum.INT64)
        .feature("rating", ValueType.Enum.DOUBLE)
        .feature("name", ValueType.Enum.STRING)
        .maxAge(Duration.ofHours(1))
        .label(OnlineLayout.LABEL, layout.label())
        .build();
  }

  private static final FeatureSpecSnapshot SPECS =
      Specs.snapshot(
          P,
          List.of(
              stats("hashed", OnlineLayout.HASH),
              stats("packed", OnlineLayout.PACKED),
              table("profile")
                  .entities("driver_id")
                  .feature("age", ValueType.Enum.INT64)
                  .label(OnlineLayout.LABEL, "packed")
                  .build()),
          List.of(DRIVER));

  private final InMemoryOnlineStore store = new InMemoryOnlineStore();
  private final OnlineFeatureService service =
      new OnlineFeatureService(
          () -> SPECS, store, LookupProperties.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

  private static Map<String, Value> driver(long id) {
    return Map.of("driver_id", int64(id));
  }

  private static Map<String, Value> features(Value trips, Value rating, Value name) {
    Map<String, Value> features = new LinkedHashMap<>();
    features.put("trips", trips);
    features.put("rating", rating);
    features.put("name", name);
    return features;
  }

  private void writeBoth(long driver, Map<String, Value> features, Instant eventTime) {
    store.writeRow(P, driver(driver), "hashed", features, eventTime);
    store.writePackedRow(P, driver(driver), "packed", features, eventTime);
  }

  private GetOnlineFeaturesResponse answer(GetOnlineFeaturesRequestV2 request) {
    return service.getOnlineFeatures(request).block(TIMEOUT);
  }

  @Test
  void aMixedRequestReadsHashFieldsAndPackedStringsInOneBatch() {
    writeBoth(1, features(int64(10), float64(4.5), string("d1")), NOW.minusSeconds(5));
    store.writePackedRow(P, driver(1), "profile", Map.of("age", int64(40)), NOW.minusSeconds(5));

    FieldValues row =
        answer(
                request(P)
                    .features("hashed:trips", "packed:rating", "packed:name", "profile:age")
                    .row(driver(1))
                    .build())
            .getFieldValues(0);

    assertThat(row.getFieldsMap())
        .containsEntry("hashed:trips", int64(10))
        .containsEntry("packed:rating", float64(4.5))
        .containsEntry("packed:name", string("d1"))
        .containsEntry("profile:age", int64(40));
    assertThat(row.getStatusesMap()).containsOnlyKeys(row.getFieldsMap().keySet());
    assertThat(row.getStatusesMap().values()).containsOnly(FieldStatus.PRESENT);
    assertThat(store.batches()).hasSize(1);
    byte[] entityKey = OnlineStoreKeys.entityKey(P, driver(1));
    assertThat(store.batches().get(0))
        .extracting(read -> read.getClass().getSimpleName() + ":" + new String(read.key()))
        .containsExactlyInAnyOrder(
            "HashRead:" + new String(entityKey),
            "ValueRead:" + new String(PackedRows.key(PackedRows.keyPrefix("packed"), entityKey)),
            "ValueRead:" + new String(PackedRows.key(PackedRows.keyPrefix("profile"), entityKey)));
  }

  @Test
  void bothLayoutsAnswerTheSameStatusesAndValues() {
    Instant fresh = NOW.minusSeconds(60);
    writeBoth(1, features(int64(10), float64(4.5), string("d1")), fresh);
    // A null value is not written: NOT_FOUND in both layouts.
    writeBoth(2, features(int64(20), null, string("d2")), fresh);
    writeBoth(3, features(int64(30), float64(1.0), string("d3")), NOW.minus(Duration.ofHours(2)));
    // Driver 4 has no row at all.

    GetOnlineFeaturesRequestV2.Builder request =
        request(P)
            .features(
                "hashed:trips",
                "hashed:rating",
                "hashed:name",
                "packed:trips",
                "packed:rating",
                "packed:name")
            .build()
            .toBuilder();
    for (long id = 1; id <= 4; id++) {
      request.addEntityRows(
          GetOnlineFeaturesRequestV2.EntityRow.newBuilder().putAllFields(driver(id)));
    }
    List<FieldValues> rows = answer(request.build()).getFieldValuesList();

    for (FieldValues row : rows) {
      for (String feature : List.of("trips", "rating", "name")) {
        assertThat(row.getStatusesMap().get("packed:" + feature))
            .as("%s of %s", feature, row.getFieldsMap().get("driver_id"))
            .isEqualTo(row.getStatusesMap().get("hashed:" + feature));
        assertThat(row.getFieldsMap().get("packed:" + feature))
            .isEqualTo(row.getFieldsMap().get("hashed:" + feature));
      }
    }
    assertThat(rows)
        .extracting(row -> row.getStatusesMap().get("packed:rating"))
        .containsExactly(
            FieldStatus.PRESENT,
            FieldStatus.NOT_FOUND,
            FieldStatus.OUTSIDE_MAX_AGE,
            FieldStatus.NOT_FOUND);
  }

  @Test
  void storedRowsAreReadWhateverTheirFeatureOrderAndUnknownFeatures() {
    Map<String, Value> reordered = new LinkedHashMap<>();
    reordered.put("name", string("d1"));
    reordered.put("gone", int64(99)); // a feature since removed from the table
    reordered.put("trips", int64(10));
    store.writePackedRow(P, driver(1), "packed", reordered, NOW.minusSeconds(1));

    FieldValues row =
        answer(request(P).features("packed:trips", "packed:name").row(driver(1)).build())
            .getFieldValues(0);

    assertThat(row.getFieldsMap())
        .containsEntry("packed:trips", int64(10))
        .containsEntry("packed:name", string("d1"));
  }

  @Test
  void anUnsetValueIsNullAndAWrongTypeOrUnparsableRowIsNotFound() {
    Map<String, Value> odd = new LinkedHashMap<>();
    odd.put("trips", string("not an int64"));
    store.writePackedRow(P, driver(1), "packed", odd, NOW.minusSeconds(1));
    // An entry holding an empty Value (no writer of ours makes one): NULL_VALUE, as in a hash.
    byte[] key2 =
        PackedRows.key(PackedRows.keyPrefix("packed"), OnlineStoreKeys.entityKey(P, driver(2)));
    store.writeString(
        key2,
        concat(
            PackedRows.row(Specs.timestamp(NOW.minusSeconds(1)), new int[0], List.of()),
            emptyValueEntry(PackedRows.featureId("packed", "trips"))));
    byte[] key3 =
        PackedRows.key(PackedRows.keyPrefix("packed"), OnlineStoreKeys.entityKey(P, driver(3)));
    store.writeString(key3, new byte[] {(byte) 0x0a, (byte) 0x7f});

    List<FieldValues> rows =
        answer(
                request(P)
                    .features("packed:trips")
                    .row(driver(1))
                    .row(driver(2))
                    .row(driver(3))
                    .build())
            .getFieldValuesList();

    assertThat(rows)
        .extracting(row -> row.getStatusesMap().get("packed:trips"))
        .containsExactly(FieldStatus.NOT_FOUND, FieldStatus.NULL_VALUE, FieldStatus.NOT_FOUND);
  }

  /** A PackedFeature entry {id, value = empty Value}: tag 0x12, length 7, fixed32 id, 0x12 0x00. */
  private static byte[] emptyValueEntry(int id) {
    return new byte[] {
      0x12, 7, 0x0d, (byte) id, (byte) (id >>> 8), (byte) (id >>> 16), (byte) (id >>> 24), 0x12, 0
    };
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
