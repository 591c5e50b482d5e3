package io.larder.gateway;

import static io.larder.gateway.support.Specs.entity;
import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int32;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.core.EntityProto.EntitySpecV2;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.FeatureReferenceV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * The gateway end to end: data written to the stack's Redis through the shared encoding, specs from
 * a fake registry, answers over all four APIs (gRPC, HTTP/JSON, gRPC stream, NDJSON stream), which
 * must agree with each other and with the statuses of ONLINE_STORE_LAYOUT.md. Every test has its
 * own project, so its Redis keys are its own.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
@DirtiesContext
class OnlineFeaturesIT {

  private static final FakeRegistry registry = FakeRegistry.started();

  @DynamicPropertySource
  static void registryTarget(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  static final EntitySpecV2 DRIVER = entity("driver_id", ValueType.Enum.INT64);
  static final EntitySpecV2 CUSTOMER = entity("customer_id", ValueType.Enum.STRING);
  static final FeatureTableSpec DRIVER_STATS =
      table("driver_stats")
          .entities("driver_id")
          .feature("trips", ValueType.Enum.INT64)
          .feature("rating", ValueType.Enum.DOUBLE)
          .feature("name", ValueType.Enum.STRING)
          .feature("note", ValueType.Enum.STRING)
          .maxAge(Duration.ofHours(1))
          .build();
  static final FeatureTableSpec DRIVER_DAILY =
      table("driver_daily")
          .entities("driver_id")
          .feature("acceptance", ValueType.Enum.FLOAT)
          .feature("active", ValueType.Enum.BOOL)
          .build();
  static final FeatureTableSpec CUSTOMER_PROFILE =
      table("customer_profile")
          .entities("customer_id")
          .feature("age", ValueType.Enum.INT32)
          .feature("tier", ValueType.Enum.STRING)
          .maxAge(Duration.ofDays(1))
          .build();
  static final FeatureTableSpec DRIVER_CUSTOMER =
      table("driver_customer")
          .entities("driver_id", "customer_id")
          .feature("rides_together", ValueType.Enum.INT64)
          .build();
  static final List<FeatureTableSpec> TABLES =
      List.of(DRIVER_STATS, DRIVER_DAILY, CUSTOMER_PROFILE, DRIVER_CUSTOMER);
  static final List<EntitySpecV2> ENTITIES = List.of(DRIVER, CUSTOMER);

  private static final Value NONE = Value.getDefaultInstance();

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  private GatewayClients clients;
  private OnlineStoreTestData redis;
  private String project;

  @BeforeEach
  void setUp() {
    project = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    clients = GatewayClients.connect(grpcServer.port(), httpPort);
    redis = OnlineStoreTestData.connect();
    registry.setTables(project, TABLES, ENTITIES);
    clients.awaitProject(project, "driver_stats:trips");
  }

  @AfterEach
  void tearDown() {
    redis.close();
    clients.close();
  }

  // ------------------------------------------------------------------ statuses

  @Test
  void everyStatusIsTheSameOverAllFourApis() {
    Instant now = Instant.now();
    redis.writeRow(
        project,
        driver(1),
        "driver_stats",
        Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
        now.minus(1, ChronoUnit.MINUTES));
    // Stored but unset: a value ingested as null.
    redis.writeFeatureBytes(project, driver(1), "driver_stats", "note", NONE.toByteArray());
    redis.writeRow(
        project,
        driver(2),
        "driver_stats",
        Map.of("trips", int64(20), "rating", float64(3.0), "name", string("bob")),
        now.minus(2, ChronoUnit.HOURS));
    redis.writeRow(
        project,
        driver(3),
        "driver_stats",
        Map.of("trips", string("thirty"), "rating", float64(2.5), "name", int64(3)),
        now.minus(1, ChronoUnit.MINUTES));

    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips", "driver_stats:rating", "driver_stats:name")
            .features("driver_stats:note")
            .row(driver(1))
            .row(driver(2))
            .row(driver(3))
            .row(driver(999))
            .build();

    GetOnlineFeaturesResponse expected =
        GetOnlineFeaturesResponse.newBuilder()
            .addFieldValues(
                row(driver(1))
                    .put("driver_stats:trips", int64(10), FieldStatus.PRESENT)
                    .put("driver_stats:rating", float64(4.5), FieldStatus.PRESENT)
                    .put("driver_stats:name", string("ann"), FieldStatus.PRESENT)
                    .put("driver_stats:note", NONE, FieldStatus.NULL_VALUE)
                    .build())
            .addFieldValues(
                row(driver(2))
                    .put("driver_stats:trips", NONE, FieldStatus.OUTSIDE_MAX_AGE)
                    .put("driver_stats:rating", NONE, FieldStatus.OUTSIDE_MAX_AGE)
                    .put("driver_stats:name", NONE, FieldStatus.OUTSIDE_MAX_AGE)
                    .put("driver_stats:note", NONE, FieldStatus.NOT_FOUND)
                    .build())
            .addFieldValues(
                // A stored value of another type than the spec's counts as not found.
                row(driver(3))
                    .put("driver_stats:trips", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:rating", float64(2.5), FieldStatus.PRESENT)
                    .put("driver_stats:name", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:note", NONE, FieldStatus.NOT_FOUND)
                    .build())
            .addFieldValues(
                row(driver(999))
                    .put("driver_stats:trips", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:rating", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:name", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:note", NONE, FieldStatus.NOT_FOUND)
                    .build())
            .build();

    assertAllFourAnswer(request, expected);
  }

  @Test
  void maxAgeIsMeasuredFromTheRowTimestampToTheNanosecond() {
    Instant written = Instant.parse("2026-03-01T12:00:00.123456789Z");
    redis.writeRow(
        project,
        driver(10),
        "driver_stats",
        Map.of("trips", int64(100), "rating", float64(5.0), "name", string("cy")),
        written);
    // No max age: any age is fresh.
    redis.writeRow(
        project,
        driver(10),
        "driver_daily",
        Map.of("acceptance", float32(0.75f), "active", bool(true)),
        Instant.parse("2001-01-01T00:00:00Z"));
    Instant exactlyMaxAge = written.plus(Duration.ofHours(1));

    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips", "driver_daily:acceptance", "driver_daily:active")
            .row(driver(10), exactlyMaxAge)
            .row(driver(10), exactlyMaxAge.plusNanos(1))
            .row(driver(10), written.minusSeconds(60))
            .row(driver(10))
            .build();

    GetOnlineFeaturesResponse expected =
        GetOnlineFeaturesResponse.newBuilder()
            .addFieldValues(
                row(driver(10))
                    .put("driver_stats:trips", int64(100), FieldStatus.PRESENT)
                    .put("driver_daily:acceptance", float32(0.75f), FieldStatus.PRESENT)
                    .put("driver_daily:active", bool(true), FieldStatus.PRESENT)
                    .build())
            .addFieldValues(
                row(driver(10))
                    .put("driver_stats:trips", NONE, FieldStatus.OUTSIDE_MAX_AGE)
                    .put("driver_daily:acceptance", float32(0.75f), FieldStatus.PRESENT)
                    .put("driver_daily:active", bool(true), FieldStatus.PRESENT)
                    .build())
            .addFieldValues(
                // A row asking as of before the event: not older than max age, so present.
                row(driver(10))
                    .put("driver_stats:trips", int64(100), FieldStatus.PRESENT)
                    .put("driver_daily:acceptance", float32(0.75f), FieldStatus.PRESENT)
                    .put("driver_daily:active", bool(true), FieldStatus.PRESENT)
                    .build())
            .addFieldValues(
                // No row timestamp: as of now, long after the hour.
                row(driver(10))
                    .put("driver_stats:trips", NONE, FieldStatus.OUTSIDE_MAX_AGE)
                    .put("driver_daily:acceptance", float32(0.75f), FieldStatus.PRESENT)
                    .put("driver_daily:active", bool(true), FieldStatus.PRESENT)
                    .build())
            .build();

    assertAllFourAnswer(request, expected);
  }

  @Test
  void multiTableCompositeKeysDuplicateRowsAndExtraFields() {
    Instant now = Instant.now();
    Instant recent = now.minusSeconds(30);
    redis.writeRow(
        project,
        driver(1),
        "driver_stats",
        Map.of("trips", int64(11), "rating", float64(4.1), "name", string("d1")),
        recent);
    redis.writeRow(
        project,
        driver(1),
        "driver_daily",
        Map.of("acceptance", float32(0.5f), "active", bool(false)),
        recent);
    redis.writeRow(
        project,
        Map.of("customer_id", string("c1")),
        "customer_profile",
        Map.of("age", int32(31), "tier", string("gold")),
        recent);
    redis.writeRow(
        project,
        Map.of("driver_id", int64(1), "customer_id", string("c1")),
        "driver_customer",
        Map.of("rides_together", int64(7)),
        recent);
    redis.writeRow(
        project,
        Map.of("customer_id", string("c2")),
        "customer_profile",
        Map.of("age", int32(42), "tier", string("silver")),
        recent);

    // Composite keys are the same whatever order a request lists the entities in.
    Map<String, Value> d1c1 = new LinkedHashMap<>();
    d1c1.put("driver_id", int64(1));
    d1c1.put("customer_id", string("c1"));
    Map<String, Value> c1d1 = new LinkedHashMap<>();
    c1d1.put("customer_id", string("c1"));
    c1d1.put("driver_id", int64(1));
    Map<String, Value> d2c2WithExtra = new LinkedHashMap<>();
    d2c2WithExtra.put("driver_id", int64(2));
    d2c2WithExtra.put("customer_id", string("c2"));
    d2c2WithExtra.put("request_id", string("r-42"));

    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features(
                "driver_stats:trips", "customer_profile:tier", "driver_customer:rides_together")
            .features("driver_daily:acceptance", "customer_profile:age", "driver_stats:name")
            .row(d1c1)
            .row(c1d1)
            .row(d2c2WithExtra)
            .row(d1c1)
            .build();

    FieldValues d1c1Row =
        row(d1c1)
            .put("driver_stats:trips", int64(11), FieldStatus.PRESENT)
            .put("driver_stats:name", string("d1"), FieldStatus.PRESENT)
            .put("driver_daily:acceptance", float32(0.5f), FieldStatus.PRESENT)
            .put("customer_profile:tier", string("gold"), FieldStatus.PRESENT)
            .put("customer_profile:age", int32(31), FieldStatus.PRESENT)
            .put("driver_customer:rides_together", int64(7), FieldStatus.PRESENT)
            .build();
    GetOnlineFeaturesResponse expected =
        GetOnlineFeaturesResponse.newBuilder()
            .addFieldValues(d1c1Row)
            .addFieldValues(d1c1Row)
            .addFieldValues(
                // Extra request fields are echoed like entities.
                row(d2c2WithExtra)
                    .put("driver_stats:trips", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_stats:name", NONE, FieldStatus.NOT_FOUND)
                    .put("driver_daily:acceptance", NONE, FieldStatus.NOT_FOUND)
                    .put("customer_profile:tier", string("silver"), FieldStatus.PRESENT)
                    .put("customer_profile:age", int32(42), FieldStatus.PRESENT)
                    .put("driver_customer:rides_together", NONE, FieldStatus.NOT_FOUND)
                    .build())
            .addFieldValues(d1c1Row)
            .build();

    assertAllFourAnswer(request, expected);
  }

  @Test
  void manyRowsStreamInChunksAndAgreeWithTheUnaryAnswer() {
    Instant recent = Instant.now().minusSeconds(5);
    Specs.RequestBuilder request = Specs.request(project).features("driver_stats:trips");
    for (int i = 0; i < 300; i++) {
      if (i % 3 != 0) {
        redis.writeRow(
            project,
            driver(i),
            "driver_stats",
            Map.of("trips", int64(i), "rating", float64(i), "name", string("d" + i)),
            recent);
      }
      request.row(driver(i));
    }
    GetOnlineFeaturesRequestV2 built = request.build();

    Map<String, GetOnlineFeaturesResponse> answers = clients.allFour(built);

    GetOnlineFeaturesResponse unary = answers.get("grpc");
    assertThat(unary.getFieldValuesCount()).isEqualTo(300);
    for (int i = 0; i < 300; i++) {
      FieldValues row = unary.getFieldValues(i);
      assertThat(row.getFieldsOrThrow("driver_id")).isEqualTo(int64(i));
      assertThat(row.getStatusesOrThrow("driver_stats:trips"))
          .isEqualTo(i % 3 == 0 ? FieldStatus.NOT_FOUND : FieldStatus.PRESENT);
    }
    assertThat(answers).allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(unary));
  }

  @Test
  void emptyProjectMeansDefault() {
    // The fake registry's "default" is this test class's own; entity ids keep the keys apart.
    long id = ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50);
    registry.setTables(FakeRegistry.DEFAULT_PROJECT, TABLES, ENTITIES);
    clients.awaitProject(FakeRegistry.DEFAULT_PROJECT, "driver_stats:trips");
    redis.writeRow(
        FakeRegistry.DEFAULT_PROJECT,
        driver(id),
        "driver_stats",
        Map.of("trips", int64(5), "rating", float64(1.5), "name", string("dee")),
        Instant.now());

    GetOnlineFeaturesRequestV2 unnamed =
        Specs.request("").features("driver_stats:trips").row(driver(id)).build();

    GetOnlineFeaturesResponse expected =
        GetOnlineFeaturesResponse.newBuilder()
            .addFieldValues(
                row(driver(id)).put("driver_stats:trips", int64(5), FieldStatus.PRESENT).build())
            .build();
    assertAllFourAnswer(unnamed, expected);
    assertAllFourAnswer(unnamed.toBuilder().setProject("default").build(), expected);
  }

  @Test
  void noEntityRowsIsAnEmptyAnswer() {
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project).features("driver_stats:trips").build();

    assertAllFourAnswer(request, GetOnlineFeaturesResponse.getDefaultInstance());
  }

  // ------------------------------------------------------------------ refusals

  @Test
  void unknownNamesAreNotFoundNamingThem() {
    GetOnlineFeaturesRequestV2 valid =
        Specs.request(project).features("driver_stats:trips").row(driver(1)).build();

    assertAllFourRefuse(
        valid.toBuilder().setProject("no_such_project_" + project).build(),
        Status.Code.NOT_FOUND,
        "no_such_project_" + project);
    assertAllFourRefuse(
        valid.toBuilder().addFeatures(Specs.ref("no_such_table:trips")).build(),
        Status.Code.NOT_FOUND,
        "no_such_table");
    assertAllFourRefuse(
        valid.toBuilder().addFeatures(Specs.ref("driver_stats:no_such_feature")).build(),
        Status.Code.NOT_FOUND,
        "driver_stats:no_such_feature");
  }

  @Test
  void rowsMissingAnEntityOrHoldingTheWrongTypeAreInvalidNamingRowAndField() {
    GetOnlineFeaturesRequestV2 missing =
        Specs.request(project)
            .features("driver_stats:trips", "customer_profile:tier")
            .row(Map.of("driver_id", int64(1), "customer_id", string("c1")))
            .row(driver(2))
            .build();
    GetOnlineFeaturesRequestV2 wrongType =
        Specs.request(project)
            .features("driver_stats:trips")
            .row(driver(1))
            .row(Map.of("driver_id", string("2")))
            .build();

    assertAllFourRefuse(
        missing,
        Status.Code.INVALID_ARGUMENT,
        "entity_rows[1]: missing entity 'customer_id' needed by feature table 'customer_profile'");
    assertAllFourRefuse(wrongType, Status.Code.INVALID_ARGUMENT, "entity_rows[1]");
    assertAllFourRefuse(wrongType, Status.Code.INVALID_ARGUMENT, "driver_id");
    assertAllFourRefuse(
        Specs.request(project).row(driver(1)).build(), Status.Code.INVALID_ARGUMENT, "features");
  }

  @Test
  void oversizeRequestsAreRefusedWithTheLimitInTheMessage() {
    Specs.RequestBuilder tooManyRows = Specs.request(project).features("driver_stats:trips");
    for (int i = 0; i <= 10_000; i++) {
      tooManyRows.row(driver(i));
    }
    GetOnlineFeaturesRequestV2.Builder tooManyFeatures =
        Specs.request(project).row(driver(1)).build().toBuilder();
    FeatureReferenceV2 trips = Specs.ref("driver_stats:trips");
    for (int i = 0; i <= 1_000; i++) {
      tooManyFeatures.addFeatures(trips);
    }

    assertAllFourRefuse(tooManyRows.build(), Status.Code.INVALID_ARGUMENT, "10000");
    assertAllFourRefuse(tooManyFeatures.build(), Status.Code.INVALID_ARGUMENT, "1000");
  }

  @Test
  void malformedJsonIs400AndNever500() {
    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      for (String body :
          List.of(
              "{\"features\": [",
              "{\"entityRows\": \"many\"}",
              "{\"features\": [{\"featureTable\": \"t\", \"name\": \"f\", \"color\": 1}]}",
              "<xml/>")) {
        problem(
            clients
                .http()
                .post()
                .uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange(),
            HttpStatus.BAD_REQUEST,
            "INVALID_ARGUMENT");
      }
    }
  }

  @Test
  void bodyOverTheLimitIs413() {
    // spring.http.codecs.max-in-memory-size is 8MB.
    String huge = "{\"project\": \"" + "x".repeat(8 * 1024 * 1024 + 1024) + "\"}";

    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      problem(
          clients
              .http()
              .post()
              .uri(uri)
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue(huge)
              .exchange(),
          HttpStatus.PAYLOAD_TOO_LARGE,
          "RESOURCE_EXHAUSTED");
    }
  }

  // ------------------------------------------------------------------ transport

  @Test
  void http2CleartextWithPriorKnowledgeServesBothHttpForms() {
    redis.writeRow(
        project,
        driver(5),
        "driver_stats",
        Map.of("trips", int64(50), "rating", float64(4.0), "name", string("h2")),
        Instant.now());
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project).features("driver_stats:trips").row(driver(5)).row(driver(6)).build();
    GetOnlineFeaturesResponse viaGrpc = clients.grpc(request);
    HttpClient h2c = HttpClient.create().protocol(HttpProtocol.H2C);

    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      String[] version = new String[1];
      String body =
          h2c.headers(headers -> headers.set("content-type", "application/json"))
              .post()
              .uri("http://127.0.0.1:" + httpPort + uri)
              .send(ByteBufFlux.fromString(Mono.just(GatewayClients.json(request))))
              .responseSingle(
                  (response, content) -> {
                    version[0] = response.version().text();
                    assertThat(response.status().code()).isEqualTo(200);
                    return content.asString();
                  })
              .block(GatewayClients.TIMEOUT);

      assertThat(version[0]).isEqualTo("HTTP/2.0");
      GetOnlineFeaturesResponse answer;
      if (uri.equals(GatewayClients.ONLINE)) {
        GetOnlineFeaturesResponse.Builder parsed = GetOnlineFeaturesResponse.newBuilder();
        GatewayClients.merge(body, parsed);
        answer = parsed.build();
      } else {
        answer = GatewayClients.assemble(GatewayClients.parseNdjson(body), 2);
      }
      assertThat(answer).as(uri).isEqualTo(viaGrpc);
    }
  }

  @Test
  void metricsCountRequestsRowsAndStatuses() {
    redis.writeRow(
        project,
        driver(7),
        "driver_stats",
        Map.of("trips", int64(70), "rating", float64(4.0), "name", string("m")),
        Instant.now());
    clients.allFour(
        Specs.request(project)
            .features("driver_stats:trips")
            .row(driver(7))
            .row(driver(8))
            .build());

    String metrics =
        clients
            .http()
            .get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();

    for (String api : List.of("grpc", "http", "grpc_stream", "http_stream")) {
      assertThat(metrics)
          .contains("larder_gateway_requests_seconds_bucket{api=\"" + api + "\",outcome=\"OK\"")
          .contains("larder_gateway_rows_total{api=\"" + api + "\"}")
          .contains("larder_gateway_features_total{api=\"" + api + "\"}");
    }
    assertThat(metrics)
        .contains("larder_gateway_feature_status_total{status=\"PRESENT\"}")
        .contains("larder_gateway_feature_status_total{status=\"NOT_FOUND\"}");
    clients
        .http()
        .get()
        .uri("/actuator/health/readiness")
        .exchange()
        .expectStatus()
        .isOk()
        .expectBody()
        .jsonPath("$.status")
        // EMPTY when the shared Redis holds no key at this moment: still ready.
        .value(status -> assertThat(status).isIn("UP", "EMPTY"));
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, Value> driver(long id) {
    return Map.of("driver_id", int64(id));
  }

  private static Value float32(float value) {
    return Value.newBuilder().setFloatVal(value).build();
  }

  private static Value bool(boolean value) {
    return Value.newBuilder().setBoolVal(value).build();
  }

  /** An expected row: the request's fields echoed as PRESENT, then features added. */
  private static RowBuilder row(Map<String, Value> requestFields) {
    return new RowBuilder(requestFields);
  }

  private static final class RowBuilder {
    private final FieldValues.Builder row = FieldValues.newBuilder();

    RowBuilder(Map<String, Value> requestFields) {
      requestFields.forEach(
          (name, value) -> {
            row.putFields(name, value);
            row.putStatuses(name, FieldStatus.PRESENT);
          });
    }

    RowBuilder put(String reference, Value value, FieldStatus status) {
      row.putFields(reference, value);
      row.putStatuses(reference, status);
      return this;
    }

    FieldValues build() {
      return row.build();
    }
  }

  private void assertAllFourAnswer(
      GetOnlineFeaturesRequestV2 request, GetOnlineFeaturesResponse expected) {
    Map<String, GetOnlineFeaturesResponse> answers = clients.allFour(request);
    assertThat(answers).allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(expected));
  }

  /** gRPC and gRPC stream fail with the code, HTTP and NDJSON with its problem answer. */
  private void assertAllFourRefuse(
      GetOnlineFeaturesRequestV2 request, Status.Code code, String messagePart) {
    Throwable unary = catchThrowable(() -> clients.grpc(request));
    assertThat(Status.fromThrowable(unary).getCode()).as("grpc").isEqualTo(code);
    assertThat(Status.fromThrowable(unary).getDescription()).as("grpc").contains(messagePart);

    Throwable streamed = catchThrowable(() -> clients.grpcStreamRows(request));
    assertThat(Status.fromThrowable(streamed).getCode()).as("grpc_stream").isEqualTo(code);
    assertThat(Status.fromThrowable(streamed).getDescription())
        .as("grpc_stream")
        .contains(messagePart);

    HttpStatus status =
        code == Status.Code.NOT_FOUND ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      assertThat(
              problem(
                  clients
                      .http()
                      .post()
                      .uri(uri)
                      .contentType(MediaType.APPLICATION_JSON)
                      .bodyValue(GatewayClients.json(request))
                      .exchange(),
                  status,
                  code.name()))
          .as(uri)
          .contains(messagePart);
    }
  }

  /** Asserts a problem+json answer; returns its detail. */
  @SuppressWarnings("unchecked")
  static String problem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
    Map<String, Object> problem =
        response
            .expectStatus()
            .value(actual -> assertThat(actual).isEqualTo(status.value()))
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody(Map.class)
            .returnResult()
            .getResponseBody();
    assertThat(problem).containsEntry("status", status.value()).containsEntry("code", code);
    return (String) problem.get("detail");
  }
}
