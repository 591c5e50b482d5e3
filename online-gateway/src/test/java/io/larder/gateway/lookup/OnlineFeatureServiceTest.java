package io.larder.gateway.lookup;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int32;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.request;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.larder.gateway.GatewayException;
import io.larder.gateway.featurespec.FeatureSpecSnapshot;
import io.larder.gateway.featurespec.FeatureSpecsNotLoadedException;
import io.larder.gateway.featurespec.ProjectSpec;
import io.larder.gateway.support.InMemoryOnlineStore;
import io.larder.gateway.support.Specs;
import io.larder.onlinestore.OnlineStoreKeys;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.larder.StreamingProto.StreamedFeatureRow;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class OnlineFeatureServiceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String P = "p";

  private static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);
  private static final EntitySpecV2 CUSTOMER = entity("customer_id", ValueType.Enum.STRING);

  private static final FeatureTableSpec DRIVER_STATS =
      table("driver_stats")
          .entities("driver_id")
          .feature("trips", ValueType.Enum.INT64)
          .feature("rating", ValueType.Enum.DOUBLE)
          .feature("name", ValueType.Enum.STRING)
          .maxAge(Duration.ofHours(1))
          .build();
  private static final FeatureTableSpec DRIVER_PROFILE =
      table("driver_profile").entities("driver_id").feature("age", ValueType.Enum.INT32).build();
  private static final FeatureTableSpec DRIVER_CUSTOMER =
      table("driver_customer")
          .entities("driver_id", "customer_id")
          .feature("rides", ValueType.Enum.INT64)
          .build();
  private static final FeatureTableSpec CUSTOMER_STATS =
      table("customer_stats")
          .entities("customer_id")
          .feature("spend", ValueType.Enum.DOUBLE)
          .build();

  private static final FeatureSpecSnapshot SPECS =
      Specs.snapshot(
          ProjectSpec.of(
              P,
              List.of(DRIVER_STATS, DRIVER_PROFILE, DRIVER_CUSTOMER, CUSTOMER_STATS),
              List.of(DRIVER, CUSTOMER)),
          ProjectSpec.of(
              "default",
              List.of(table("t").entities("driver_id").feature("f", ValueType.Enum.INT64).build()),
              List.of(DRIVER)));

  private final InMemoryOnlineStore store = new InMemoryOnlineStore();
  private final OnlineFeatureService service = service(LookupProperties.defaults());

  private OnlineFeatureService service(LookupProperties properties) {
    return new OnlineFeatureService(
        () -> SPECS, store, properties, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static Map<String, Value> driver(long id) {
    return Map.of("driver_id", int64(id));
  }

  private void writeStats(long driver, Instant eventTime) {
    store.writeRow(
        P,
        driver(driver),
        "driver_stats",
        Map.of("trips", int64(driver * 10), "rating", float64(4.5), "name", string("d" + driver)),
        eventTime);
  }

  private GetOnlineFeaturesResponse answer(GetOnlineFeaturesRequestV2 request) {
    return service.getOnlineFeatures(request).block(TIMEOUT);
  }

  private void refused(
      GetOnlineFeaturesRequestV2 request, GatewayException.Reason reason, String message) {
    service
        .getOnlineFeatures(request)
        .as(StepVerifier::create)
        .expectErrorSatisfies(
            error ->
                assertThat(error)
                    .isInstanceOfSatisfying(
                        GatewayException.class,
                        refusal -> assertThat(refusal.reason()).isEqualTo(reason))
                    .hasMessage(message))
        .verify(TIMEOUT);
  }

  private static Consumer<FieldValues> feature(String reference, FieldStatus status, Value value) {
    return row -> {
      assertThat(row.getStatusesMap()).containsEntry(reference, status);
      assertThat(row.getFieldsMap()).containsEntry(reference, value);
    };
  }

  // ---------------------------------------------------------------- statuses

  @Test
  void presentValuesComeWithTheRowsEntityFieldsEchoed() {
    writeStats(1, NOW.minusSeconds(600));

    GetOnlineFeaturesResponse response =
        answer(
            request(P)
                .features("driver_stats:trips", "driver_stats:rating", "driver_stats:name")
                .row(driver(1))
                .build());

    assertThat(response.getFieldValuesList()).hasSize(1);
    FieldValues row = response.getFieldValues(0);
    assertThat(row.getFieldsMap())
        .containsOnly(
            Map.entry("driver_id", int64(1)),
            Map.entry("driver_stats:trips", int64(10)),
            Map.entry("driver_stats:rating", float64(4.5)),
            Map.entry("driver_stats:name", string("d1")));
    assertThat(row.getStatusesMap())
        .containsOnly(
            Map.entry("driver_id", FieldStatus.PRESENT),
            Map.entry("driver_stats:trips", FieldStatus.PRESENT),
            Map.entry("driver_stats:rating", FieldStatus.PRESENT),
            Map.entry("driver_stats:name", FieldStatus.PRESENT));
  }

  @Test
  void anEntityWithoutARowIsNotFound() {
    FieldValues row =
        answer(request(P).features("driver_stats:trips").row(driver(404)).build())
            .getFieldValues(0);

    assertThat(row)
        .satisfies(
            feature("driver_stats:trips", FieldStatus.NOT_FOUND, Value.getDefaultInstance()));
  }

  @Test
  void aFeatureWrittenAsNullIsNotFoundWhileItsSiblingsArePresent() {
    store.writeRow(
        P,
        driver(1),
        "driver_stats",
        Map.of("trips", int64(3), "rating", Value.getDefaultInstance()),
        NOW);

    FieldValues row =
        answer(
                request(P)
                    .features("driver_stats:trips", "driver_stats:rating")
                    .row(driver(1))
                    .build())
            .getFieldValues(0);

    assertThat(row)
        .satisfies(feature("driver_stats:trips", FieldStatus.PRESENT, int64(3)))
        .satisfies(
            feature("driver_stats:rating", FieldStatus.NOT_FOUND, Value.getDefaultInstance()));
  }

  @Test
  void aStoredValueWithoutACaseIsNullValue() {
    writeStats(1, NOW);
    store.writeField(
        P,
        driver(1),
        OnlineStoreKeys.featureField("driver_stats", "trips"),
        Value.getDefaultInstance().toByteArray());

    FieldValues row =
        answer(request(P).features("driver_stats:trips").row(driver(1)).build()).getFieldValues(0);

    assertThat(row)
        .satisfies(
            feature("driver_stats:trips", FieldStatus.NULL_VALUE, Value.getDefaultInstance()));
  }

  @Test
  void aStoredValueOfAnotherTypeIsNotFound() {
    writeStats(1, NOW);
    store.writeField(
        P,
        driver(1),
        OnlineStoreKeys.featureField("driver_stats", "trips"),
        string("ten").toByteArray());

    FieldValues row =
        answer(request(P).features("driver_stats:trips").row(driver(1)).build()).getFieldValues(0);

    assertThat(row)
        .satisfies(
            feature("driver_stats:trips", FieldStatus.NOT_FOUND, Value.getDefaultInstance()));
  }

  @Test
  void aValueWithoutItsTablesTimestampIsNotFound() {
    store.writeField(
        P,
        driver(1),
        OnlineStoreKeys.featureField("driver_stats", "trips"),
        int64(5).toByteArray());

    FieldValues row =
        answer(request(P).features("driver_stats:trips").row(driver(1)).build()).getFieldValues(0);

    assertThat(row)
        .satisfies(
            feature("driver_stats:trips", FieldStatus.NOT_FOUND, Value.getDefaultInstance()));
  }

  // ---------------------------------------------------------------- max age

  @Test
  void exactlyMaxAgeBeforeTheReceiveTimeIsStillPresent() {
    writeStats(1, NOW.minus(Duration.ofHours(1)));

    assertThat(answer(request(P).features("driver_stats:trips").row(driver(1)).build()))
        .satisfies(
            response ->
                assertThat(response.getFieldValues(0))
                    .satisfies(feature("driver_stats:trips", FieldStatus.PRESENT, int64(10))));
  }

  @Test
  void oneNanosecondOlderIsOutsideMaxAge() {
    writeStats(1, NOW.minus(Duration.ofHours(1)).minusNanos(1));

    FieldValues row =
        answer(request(P).features("driver_stats:trips").row(driver(1)).build()).getFieldValues(0);

    assertThat(row)
        .satisfies(
            feature("driver_stats:trips", FieldStatus.OUTSIDE_MAX_AGE, Value.getDefaultInstance()));
  }

  @Test
  void aRowTimestampReplacesTheReceiveTime() {
    Instant event = NOW.minus(Duration.ofDays(3));
    writeStats(1, event);

    GetOnlineFeaturesResponse response =
        answer(
            request(P)
                .features("driver_stats:trips")
                .row(driver(1), event.plus(Duration.ofHours(1)))
                .row(driver(1), event.plus(Duration.ofHours(1)).plusNanos(1))
                .row(driver(1))
                .build());

    assertThat(response.getFieldValues(0).getStatusesMap())
        .containsEntry("driver_stats:trips", FieldStatus.PRESENT);
    assertThat(response.getFieldValues(1).getStatusesMap())
        .containsEntry("driver_stats:trips", FieldStatus.OUTSIDE_MAX_AGE);
    assertThat(response.getFieldValues(2).getStatusesMap())
        .containsEntry("driver_stats:trips", FieldStatus.OUTSIDE_MAX_AGE);
  }

  @Test
  void maxAgeZeroMeansNoLimit() {
    store.writeRow(P, driver(1), "driver_profile", Map.of("age", int32(40)), Instant.EPOCH);

    FieldValues row =
        answer(request(P).features("driver_profile:age").row(driver(1)).build()).getFieldValues(0);

    assertThat(row).satisfies(feature("driver_profile:age", FieldStatus.PRESENT, int32(40)));
  }

  @Test
  void aNullValueStaysNullValueEvenWhenStale() {
    writeStats(1, NOW.minus(Duration.ofDays(2)));
    store.writeField(
        P,
        driver(1),
        OnlineStoreKeys.featureField("driver_stats", "trips"),
        Value.getDefaultInstance().toByteArray());

    assertThat(
            answer(request(P).features("driver_stats:trips").row(driver(1)).build())
                .getFieldValues(0)
                .getStatusesMap())
        .containsEntry("driver_stats:trips", FieldStatus.NULL_VALUE);
  }

  // ---------------------------------------------------------------- planning

  @Test
  void tablesOnTheSameEntitiesShareOneHashReadWithOneTimestampEach() {
    writeStats(1, NOW);
    store.writeRow(P, driver(1), "driver_profile", Map.of("age", int32(40)), NOW);

    FieldValues row =
        answer(
                request(P)
                    .features("driver_stats:trips", "driver_profile:age", "driver_stats:name")
                    .row(driver(1))
                    .build())
            .getFieldValues(0);

    assertThat(row)
        .satisfies(feature("driver_stats:trips", FieldStatus.PRESENT, int64(10)))
        .satisfies(feature("driver_stats:name", FieldStatus.PRESENT, string("d1")))
        .satisfies(feature("driver_profile:age", FieldStatus.PRESENT, int32(40)));
    assertThat(store.batches()).hasSize(1);
    List<StoreRead> reads = store.batches().get(0);
    assertThat(reads).hasSize(1);
    assertThat(reads.get(0).key()).isEqualTo(OnlineStoreKeys.entityKey(P, driver(1)));
    assertThat(((HashRead) reads.get(0)).fields())
        .containsExactly(
            OnlineStoreKeys.timestampField("driver_stats"),
            OnlineStoreKeys.featureField("driver_stats", "trips"),
            OnlineStoreKeys.featureField("driver_stats", "name"),
            OnlineStoreKeys.timestampField("driver_profile"),
            OnlineStoreKeys.featureField("driver_profile", "age"));
  }

  @Test
  void aCompositeKeyIsSortedByEntityNameWhateverTheRowsOrder() {
    Map<String, Value> entities = Map.of("driver_id", int64(7), "customer_id", string("c9"));
    store.writeRow(P, entities, "driver_customer", Map.of("rides", int64(2)), NOW);
    Map<String, Value> rowFields = new HashMap<>(entities);
    rowFields.put("session", string("extra fields are echoed"));

    FieldValues row =
        answer(request(P).features("driver_customer:rides").row(rowFields).build())
            .getFieldValues(0);

    assertThat(row).satisfies(feature("driver_customer:rides", FieldStatus.PRESENT, int64(2)));
    assertThat(row.getFieldsMap()).containsEntry("session", string("extra fields are echoed"));
    assertThat(row.getStatusesMap()).containsEntry("session", FieldStatus.PRESENT);
    assertThat(store.batches().get(0).get(0).key())
        .isEqualTo(OnlineStoreKeys.entityKey(P, entities));
  }

  @Test
  void keysEncodeEveryValueTypeExactlyAsTheSharedLibrary() {
    FeatureTableSpec wide =
        table("wide").entities("a", "b", "c", "d").feature("f", ValueType.Enum.INT64).build();
    FeatureSpecSnapshot specs =
        Specs.snapshot(
            P,
            List.of(wide),
            List.of(
                entity("a", ValueType.Enum.INT64),
                entity("b", ValueType.Enum.STRING),
                entity("c", ValueType.Enum.BYTES),
                entity("d", ValueType.Enum.INT32)));
    OnlineFeatureService wideService =
        new OnlineFeatureService(() -> specs, store, LookupProperties.defaults());
    Map<String, Value> entities =
        Map.of(
            "d", int32(-1),
            "c", Value.newBuilder().setBytesVal(ByteString.copyFrom(new byte[300])).build(),
            "b", string("ünïcode ".repeat(40)),
            "a", int64(Long.MIN_VALUE));

    wideService
        .getOnlineFeatures(request(P).features("wide:f").row(entities).build())
        .block(TIMEOUT);

    assertThat(store.batches().get(0).get(0).key())
        .isEqualTo(OnlineStoreKeys.entityKey(P, entities));
  }

  @Test
  void tablesOnDifferentEntitiesReadDifferentHashes() {
    Map<String, Value> both = Map.of("driver_id", int64(1), "customer_id", string("c1"));
    writeStats(1, NOW);
    store.writeRow(
        P,
        Map.of("customer_id", string("c1")),
        "customer_stats",
        Map.of("spend", float64(9.5)),
        NOW);
    store.writeRow(P, both, "driver_customer", Map.of("rides", int64(4)), NOW);

    FieldValues row =
        answer(
                request(P)
                    .features("driver_stats:trips", "customer_stats:spend", "driver_customer:rides")
                    .row(both)
                    .build())
            .getFieldValues(0);

    assertThat(row)
        .satisfies(feature("driver_stats:trips", FieldStatus.PRESENT, int64(10)))
        .satisfies(feature("customer_stats:spend", FieldStatus.PRESENT, float64(9.5)))
        .satisfies(feature("driver_customer:rides", FieldStatus.PRESENT, int64(4)));
    assertThat(store.batches()).hasSize(1);
    assertThat(store.batches().get(0))
        .extracting(StoreRead::key)
        .containsExactlyInAnyOrder(
            OnlineStoreKeys.entityKey(P, driver(1)),
            OnlineStoreKeys.entityKey(P, Map.of("customer_id", string("c1"))),
            OnlineStoreKeys.entityKey(P, both));
  }

  @Test
  void duplicateEntityRowsShareOneReadAndAnswerInRequestOrder() {
    writeStats(1, NOW);
    writeStats(2, NOW);

    GetOnlineFeaturesResponse response =
        answer(
            request(P)
                .features("driver_stats:trips")
                .row(driver(1))
                .row(driver(2))
                .row(driver(1))
                .row(driver(3))
                .row(driver(1))
                .build());

    assertThat(response.getFieldValuesList())
        .extracting(row -> row.getFieldsMap().get("driver_stats:trips"))
        .containsExactly(int64(10), int64(20), int64(10), Value.getDefaultInstance(), int64(10));
    assertThat(store.batches()).hasSize(1);
    assertThat(store.hashReads()).isEqualTo(3);
  }

  @Test
  void aFeatureRequestedTwiceIsReadOnce() {
    writeStats(1, NOW);

    answer(request(P).features("driver_stats:trips", "driver_stats:trips").row(driver(1)).build());

    assertThat(((HashRead) store.batches().get(0).get(0)).fields()).hasSize(2);
  }

  @Test
  void aWholeRequestIsOneBatch() {
    IntStream.range(0, 500).forEach(i -> writeStats(i, NOW));
    GetOnlineFeaturesRequestV2.Builder request =
        request(P).features("driver_stats:trips", "driver_profile:age").build().toBuilder();
    for (int i = 0; i < 500; i++) {
      request.addEntityRows(
          GetOnlineFeaturesRequestV2.EntityRow.newBuilder().putAllFields(driver(i)));
    }

    GetOnlineFeaturesResponse response = answer(request.build());

    assertThat(response.getFieldValuesCount()).isEqualTo(500);
    assertThat(store.batches()).hasSize(1);
    assertThat(store.hashReads()).isEqualTo(500);
    assertThat(response.getFieldValues(321).getFieldsMap())
        .containsEntry("driver_stats:trips", int64(3210));
  }

  @Test
  void zeroEntityRowsAnswerAnEmptyResponseWithoutReading() {
    assertThat(answer(request(P).features("driver_stats:trips").build()))
        .isEqualTo(GetOnlineFeaturesResponse.getDefaultInstance());
    assertThat(store.batches()).isEmpty();
  }

  @Test
  void anEmptyProjectMeansDefault() {
    store.writeRow("default", driver(1), "t", Map.of("f", int64(1)), NOW);

    assertThat(
            answer(request("").features("t:f").row(driver(1)).build())
                .getFieldValues(0)
                .getStatusesMap())
        .containsEntry("t:f", FieldStatus.PRESENT);
  }

  @Test
  void nothingIsReadBeforeSubscription() {
    Mono<GetOnlineFeaturesResponse> lookup =
        service.getOnlineFeatures(request(P).features("driver_stats:trips").row(driver(1)).build());
    Flux<StreamedFeatureRow> stream =
        service.streamOnlineFeatures(
            request(P).features("driver_stats:trips").row(driver(1)).build());

    assertThat(store.readsStarted()).isZero();
    lookup.block(TIMEOUT);
    stream.blockLast(TIMEOUT);
    assertThat(store.readsStarted()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void noFeaturesIsInvalid() {
    refused(
        request(P).row(driver(1)).build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "features: at least one feature reference is required");
  }

  @Test
  void anUnknownProjectIsNotFound() {
    refused(
        request("nope").features("driver_stats:trips").row(driver(1)).build(),
        GatewayException.Reason.NOT_FOUND,
        "project 'nope' not found");
  }

  @Test
  void anUnknownTableIsNotFound() {
    refused(
        request(P).features("driver_stats:trips", "nope:trips").row(driver(1)).build(),
        GatewayException.Reason.NOT_FOUND,
        "feature table 'nope' not found in project 'p'");
  }

  @Test
  void anUnknownFeatureOfAKnownTableIsNotFound() {
    refused(
        request(P).features("driver_stats:nope").row(driver(1)).build(),
        GatewayException.Reason.NOT_FOUND,
        "feature 'driver_stats:nope' not found in project 'p'");
  }

  @Test
  void aReferenceWithoutTableIsInvalid() {
    refused(
        request(P).features("driver_stats:trips", ":trips").build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "features[1].feature_table: must not be empty");
  }

  @Test
  void unknownNamesAreRefusedEvenWithoutRows() {
    refused(
        request(P).features("nope:trips").build(),
        GatewayException.Reason.NOT_FOUND,
        "feature table 'nope' not found in project 'p'");
  }

  @Test
  void aRowMissingAnEntityItsTableNeedsIsInvalid() {
    refused(
        request(P)
            .features("driver_stats:trips")
            .row(driver(1))
            .row(Map.of("customer_id", string("c1")))
            .build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "entity_rows[1]: missing entity 'driver_id' needed by feature table 'driver_stats'");
  }

  @Test
  void aRowMissingOneEntityOfACompositeKeyIsInvalid() {
    refused(
        request(P).features("driver_customer:rides").row(driver(1)).build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "entity_rows[0]: missing entity 'customer_id' needed by feature table 'driver_customer'");
  }

  @Test
  void anEntityValueOfTheWrongTypeIsInvalid() {
    refused(
        request(P).features("driver_stats:trips").row(Map.of("driver_id", string("1"))).build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "entity_rows[0].fields['driver_id']: entity 'driver_id' is INT64 but the value is"
            + " string_val");
  }

  @Test
  void anEmptyEntityValueIsInvalid() {
    refused(
        request(P)
            .features("driver_stats:trips")
            .row(Map.of("driver_id", Value.getDefaultInstance()))
            .build(),
        GatewayException.Reason.INVALID_ARGUMENT,
        "entity_rows[0].fields['driver_id']: entity 'driver_id' is INT64 but the value is empty");
  }

  @Test
  void moreRowsThanTheLimitAreInvalid() {
    OnlineFeatureService limited =
        service(new LookupProperties(2, 1000, 64, 4, Duration.ofSeconds(10)));
    limited
        .getOnlineFeatures(
            request(P)
                .features("driver_stats:trips")
                .row(driver(1))
                .row(driver(2))
                .row(driver(3))
                .build())
        .as(StepVerifier::create)
        .expectErrorMessage(
            "entity_rows: 3 rows, more than the limit of 2 (larder.gateway.max-entity-rows)")
        .verify(TIMEOUT);
  }

  @Test
  void moreFeaturesThanTheLimitAreInvalid() {
    OnlineFeatureService limited =
        service(new LookupProperties(10, 2, 64, 4, Duration.ofSeconds(10)));
    limited
        .streamOnlineFeatures(
            request(P)
                .features("driver_stats:trips", "driver_stats:rating", "driver_stats:name")
                .row(driver(1))
                .build())
        .as(StepVerifier::create)
        .expectErrorMessage(
            "features: 3 requested, more than the limit of 2 (larder.gateway.max-features)")
        .verify(TIMEOUT);
  }

  // ---------------------------------------------------------------- failures

  @Test
  void anUnavailableStoreFailsTheLookup() {
    store.failWith(new OnlineStoreUnavailableException("redis down", null));

    service
        .getOnlineFeatures(request(P).features("driver_stats:trips").row(driver(1)).build())
        .as(StepVerifier::create)
        .expectError(OnlineStoreUnavailableException.class)
        .verify(TIMEOUT);
  }

  @Test
  void specsNotLoadedYetFailTheLookup() {
    OnlineFeatureService unloaded =
        new OnlineFeatureService(
            () -> {
              throw new FeatureSpecsNotLoadedException("not yet");
            },
            store,
            LookupProperties.defaults());

    unloaded
        .getOnlineFeatures(request(P).features("driver_stats:trips").row(driver(1)).build())
        .as(StepVerifier::create)
        .expectError(FeatureSpecsNotLoadedException.class)
        .verify(TIMEOUT);
  }

  // ---------------------------------------------------------------- streaming

  private GetOnlineFeaturesRequestV2 rows(int count) {
    GetOnlineFeaturesRequestV2.Builder request =
        request(P)
            .features("driver_stats:trips", "driver_profile:age", "driver_customer:rides")
            .build()
            .toBuilder();
    for (int i = 0; i < count; i++) {
      request.addEntityRows(
          GetOnlineFeaturesRequestV2.EntityRow.newBuilder()
              .putFields("driver_id", int64(i % 50))
              .putFields("customer_id", string("c" + (i % 7))));
    }
    return request.build();
  }

  @Test
  void everyRowArrivesOnceWithItsIndexAndTheSameAnswerAsTheUnaryLookup() {
    IntStream.range(0, 50).forEach(i -> writeStats(i, NOW.minusSeconds(i * 100L)));
    GetOnlineFeaturesRequestV2 request = rows(150);
    GetOnlineFeaturesResponse unary = answer(request);
    store.forgetBatches();

    List<StreamedFeatureRow> streamed =
        service.streamOnlineFeatures(request).collectList().block(TIMEOUT);

    assertThat(streamed)
        .extracting(StreamedFeatureRow::getRowIndex)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 150).boxed().toList());
    for (StreamedFeatureRow row : streamed) {
      assertThat(row.getRow()).isEqualTo(unary.getFieldValues(row.getRowIndex()));
    }
    // 150 rows in chunks of 64: three batches, each deduplicating its own keys (rows 0..63
    // hold 50 distinct drivers and 64 distinct driver-customer pairs).
    assertThat(store.batches()).hasSize(3);
    assertThat(store.batches().get(0)).hasSize(50 + 64);
  }

  @Test
  void chunksAreReadOnlyAsFastAsRowsAreConsumed() {
    OnlineFeatureService chunked =
        service(new LookupProperties(10_000, 1000, 40, 2, Duration.ofSeconds(10)));

    chunked
        .streamOnlineFeatures(rows(400))
        .as(flux -> StepVerifier.create(flux, 1))
        .expectNextCount(1)
        .then(
            // The chunks in flight (2) and at most one more, taken ahead by the row flattening.
            () -> assertThat(store.readsStarted()).isBetween(2, 3))
        .thenRequest(Long.MAX_VALUE)
        .expectNextCount(399)
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(store.readsStarted()).isEqualTo(10);
  }

  @Test
  void anInvalidRowFailsTheStreamBeforeAnyRowIsSent() {
    GetOnlineFeaturesRequestV2 request =
        rows(200).toBuilder()
            .addEntityRows(
                GetOnlineFeaturesRequestV2.EntityRow.newBuilder()
                    .putFields("customer_id", string("c1")))
            .build();

    service
        .streamOnlineFeatures(request)
        .as(StepVerifier::create)
        .expectErrorMessage(
            "entity_rows[200]: missing entity 'driver_id' needed by feature table"
                + " 'driver_stats'")
        .verify(TIMEOUT);
    assertThat(store.readsStarted()).isZero();
  }

  @Test
  void zeroRowsStreamNothing() {
    service
        .streamOnlineFeatures(request(P).features("driver_stats:trips").build())
        .as(StepVerifier::create)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void aStoreFailureEndsTheStream() {
    store.failWith(new OnlineStoreUnavailableException("redis down", null));

    service
        .streamOnlineFeatures(rows(10))
        .as(StepVerifier::create)
        .expectError(OnlineStoreUnavailableException.class)
        .verify(TIMEOUT);
  }
}
