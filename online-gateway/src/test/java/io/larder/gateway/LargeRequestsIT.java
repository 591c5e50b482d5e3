package io.larder.gateway;

import static io.larder.gateway.support.Specs.entity;
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
import io.larder.proto.serving.ReactorServingServiceGrpc;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldValues;
import io.larder.proto.types.ValueProto.Value;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import reactor.core.publisher.Flux;

/**
 * The largest legal request, 10,000 entity rows x 50 features over 5 tables, answered in full over
 * all four APIs against the stack's Redis; deadlines that are too short end DEADLINE_EXCEEDED (504)
 * without counting against Redis's circuit breaker; large requests in flight leave small ones
 * answered.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
@DirtiesContext
class LargeRequestsIT {

  private static final int ROWS = 10_000;
  private static final int TABLES = 5;
  private static final int FEATURES_PER_TABLE = 10;
  private static final Duration LARGE_TIMEOUT = Duration.ofSeconds(60);
  private static final String PROJECT = "it_large_" + Long.toHexString(System.nanoTime());
  private static final ValueType.Enum[] TYPES = {
    ValueType.Enum.INT64, ValueType.Enum.DOUBLE, ValueType.Enum.FLOAT, ValueType.Enum.STRING
  };

  private static final FakeRegistry registry = FakeRegistry.started();
  private static OnlineStoreTestData redis;

  @DynamicPropertySource
  static void registryTarget(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
  }

  @BeforeAll
  static void writeData() {
    EntitySpecV2 driver = entity("driver_id", ValueType.Enum.INT64);
    List<FeatureTableSpec> tables = new ArrayList<>();
    List<Map<String, Value>> entities = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      entities.add(Map.of("driver_id", Specs.int64(i)));
    }
    redis = OnlineStoreTestData.connect();
    Instant now = Instant.now();
    for (int t = 0; t < TABLES; t++) {
      Specs.TableBuilder spec = table("table_" + t).entities("driver_id");
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        spec.feature("f" + f, TYPES[f % TYPES.length]);
      }
      tables.add(spec.build());
      final int table = t;
      redis.writeRows(PROJECT, entities, "table_" + t, e -> features(table, e), now);
    }
    registry.setTables(PROJECT, tables, List.of(driver));
  }

  @AfterAll
  static void cleanUp() {
    if (redis != null) {
      redis.close();
    }
    registry.stop();
  }

  @Autowired GrpcServerLifecycle grpcServer;
  @Autowired MeterRegistry meters;
  @LocalServerPort int httpPort;

  private GatewayClients clients;

  @BeforeEach
  void connect() {
    clients = GatewayClients.connect(grpcServer.port(), httpPort);
    clients.awaitProject(PROJECT, "table_0:f0");
  }

  @org.junit.jupiter.api.AfterEach
  void disconnect() {
    clients.close();
  }

  @Test
  void tenThousandRowsOfFiftyFeaturesAreAnsweredInFullOverEveryApi() {
    GetOnlineFeaturesRequestV2 request = largeRequest();

    GetOnlineFeaturesResponse grpc = largeGrpc().getOnlineFeaturesV2(request);

    assertThat(grpc.getFieldValuesCount()).isEqualTo(ROWS);
    for (int row : new int[] {0, 1, 4_999, ROWS - 1}) {
      assertThat(grpc.getFieldValues(row)).isEqualTo(expectedRow(row));
    }
    assertThat(clients.http(request)).isEqualTo(grpc);
    assertThat(
            GatewayClients.assemble(
                ReactorStreamingServingServiceGrpcStub()
                    .streamOnlineFeatures(request)
                    .collectList()
                    .block(LARGE_TIMEOUT),
                ROWS))
        .isEqualTo(grpc);
    assertThat(GatewayClients.assemble(clients.ndjsonRows(request), ROWS)).isEqualTo(grpc);
  }

  @Test
  void aDeadlineTooShortForTheRequestEndsDeadlineExceededWithoutOpeningTheBreaker() {
    GetOnlineFeaturesRequestV2 request = largeRequest();
    double failedBefore = failedRedisCalls();

    for (int i = 0; i < 15; i++) {
      Throwable grpc =
          catchThrowable(
              () ->
                  largeGrpc()
                      .withDeadlineAfter(40, TimeUnit.MILLISECONDS)
                      .getOnlineFeaturesV2(request));
      assertThat(Status.fromThrowable(grpc).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
    for (int i = 0; i < 5; i++) {
      clients
          .http()
          .post()
          .uri(GatewayClients.ONLINE)
          .contentType(MediaType.APPLICATION_JSON)
          .header("X-Request-Timeout", "20ms")
          .bodyValue(GatewayClients.json(request))
          .exchange()
          .expectStatus()
          .isEqualTo(HttpStatus.GATEWAY_TIMEOUT)
          .expectBody()
          .jsonPath("$.code")
          .isEqualTo("DEADLINE_EXCEEDED")
          .jsonPath("$.detail")
          .value(detail -> assertThat((String) detail).contains("deadline of 20 ms"));
    }

    assertThat(breakerState()).isEqualTo("closed");
    assertThat(failedRedisCalls()).isEqualTo(failedBefore);
    assertThat(clients.grpc(smallRequest(7)).getFieldValues(0)).isEqualTo(expectedRow(7));
  }

  @Test
  void aMalformedTimeoutHeaderIsABadRequest() {
    clients
        .http()
        .post()
        .uri(GatewayClients.ONLINE)
        .contentType(MediaType.APPLICATION_JSON)
        .header("X-Request-Timeout", "soon")
        .bodyValue(GatewayClients.json(smallRequest(1)))
        .exchange()
        .expectStatus()
        .isBadRequest()
        .expectBody()
        .jsonPath("$.detail")
        .value(detail -> assertThat((String) detail).contains("X-Request-Timeout"));
  }

  @Test
  void smallRequestsAreAnsweredWhileLargeOnesAreInFlight() {
    GetOnlineFeaturesRequestV2 large = largeRequest();
    ReactorServingServiceGrpc.ReactorServingServiceStub reactive =
        ReactorServingServiceGrpc.newReactorStub(clients.channel())
            .withMaxInboundMessageSize(Integer.MAX_VALUE)
            .withDeadlineAfter(LARGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    var larges =
        Flux.range(0, 3)
            .flatMap(i -> reactive.getOnlineFeaturesV2(large))
            .map(GetOnlineFeaturesResponse::getFieldValuesCount)
            .collectList()
            .toFuture();

    for (int i = 0; i < 50; i++) {
      assertThat(clients.grpc(smallRequest(i)).getFieldValues(0)).isEqualTo(expectedRow(i));
    }
    assertThat(larges.join()).containsExactly(ROWS, ROWS, ROWS);
  }

  private ServingServiceGrpc.ServingServiceBlockingStub largeGrpc() {
    // A 10,000 x 50 answer is ~25 MB; gRPC clients accept 4 MB unless told otherwise.
    return ServingServiceGrpc.newBlockingStub(clients.channel())
        .withMaxInboundMessageSize(Integer.MAX_VALUE)
        .withDeadlineAfter(LARGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private io.larder.proto.larder.ReactorStreamingServingServiceGrpc
          .ReactorStreamingServingServiceStub
      ReactorStreamingServingServiceGrpcStub() {
    return io.larder.proto.larder.ReactorStreamingServingServiceGrpc.newReactorStub(
            clients.channel())
        .withDeadlineAfter(LARGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static GetOnlineFeaturesRequestV2 largeRequest() {
    Specs.RequestBuilder request = Specs.request(PROJECT).features(references());
    for (int i = 0; i < ROWS; i++) {
      request.row(Map.of("driver_id", Specs.int64(i)));
    }
    return request.build();
  }

  private static GetOnlineFeaturesRequestV2 smallRequest(int driver) {
    return Specs.request(PROJECT)
        .features(references())
        .row(Map.of("driver_id", Specs.int64(driver)))
        .build();
  }

  private static String[] references() {
    List<String> references = new ArrayList<>();
    for (int t = 0; t < TABLES; t++) {
      for (int f = 0; f < FEATURES_PER_TABLE; f++) {
        references.add("table_" + t + ":f" + f);
      }
    }
    return references.toArray(String[]::new);
  }

  private static Map<String, Value> features(int table, Map<String, Value> entity) {
    long id = entity.get("driver_id").getInt64Val();
    Map<String, Value> features = new LinkedHashMap<>();
    for (int f = 0; f < FEATURES_PER_TABLE; f++) {
      long seed = id * 1_000 + table * 100 + f;
      features.put(
          "f" + f,
          switch (TYPES[f % TYPES.length]) {
            case INT64 -> Specs.int64(seed);
            case DOUBLE -> Value.newBuilder().setDoubleVal(seed / 7.0).build();
            case FLOAT -> Value.newBuilder().setFloatVal(seed / 3f).build();
            default -> Specs.string(Long.toHexString(seed));
          });
    }
    return features;
  }

  private static FieldValues expectedRow(int driver) {
    Map<String, Value> entity = Map.of("driver_id", Specs.int64(driver));
    FieldValues.Builder row =
        FieldValues.newBuilder()
            .putFields("driver_id", Specs.int64(driver))
            .putStatuses("driver_id", FieldStatus.PRESENT);
    for (int t = 0; t < TABLES; t++) {
      String prefix = "table_" + t + ":";
      features(t, entity)
          .forEach(
              (name, value) -> {
                row.putFields(prefix + name, value);
                row.putStatuses(prefix + name, FieldStatus.PRESENT);
              });
    }
    return row.build();
  }

  private double failedRedisCalls() {
    return Search.in(meters)
        .name("resilience4j.circuitbreaker.calls")
        .tag("name", "redis")
        .tag("kind", "failed")
        .timers()
        .stream()
        .mapToDouble(timer -> timer.count())
        .sum();
  }

  private String breakerState() {
    return Search.in(meters)
        .name("resilience4j.circuitbreaker.state")
        .tag("name", "redis")
        .gauges()
        .stream()
        .filter(gauge -> gauge.value() == 1.0)
        .map(gauge -> gauge.getId().getTag("state"))
        .findFirst()
        .orElse("unknown");
  }
}
