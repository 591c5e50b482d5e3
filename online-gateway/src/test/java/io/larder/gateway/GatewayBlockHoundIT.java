package io.larder.gateway;

import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.serving.ServingServiceProto.FeastServingType;
import io.larder.proto.serving.ServingServiceProto.GetFeastServingInfoRequest;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.support.blockhound.LarderBlockHound;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Every request path of the gateway — the four lookup APIs (answers and refusals), serving info,
 * the HTTP error paths, health and metrics — against real Redis, with BlockHound failing any
 * blocking call on an event loop (Reactor Netty's, Lettuce's, gRPC's).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
@DirtiesContext
class GatewayBlockHoundIT {

  static {
    // Before Spring starts, so the event loops exist under BlockHound from their first task.
    LarderBlockHound.install();
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final FakeRegistry registry = FakeRegistry.started();

  @DynamicPropertySource
  static void registryTarget(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  private final String project =
      "bh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private GatewayClients clients;
  private OnlineStoreTestData redis;

  @BeforeEach
  void setUp() {
    clients = GatewayClients.connect(grpcServer.port(), httpPort);
    redis = OnlineStoreTestData.connect();
    registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    clients.awaitProject(project, "driver_stats:trips");
  }

  @AfterEach
  void tearDown() {
    redis.close();
    clients.close();
  }

  @Test
  void blockHoundIsActiveOnReactorThreads() {
    Mono.delay(Duration.ofMillis(1), Schedulers.parallel())
        .doOnNext(
            tick -> {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .as(StepVerifier::create)
        .expectError(BlockingOperationError.class)
        .verify(TIMEOUT);
  }

  @Test
  void everyLookupPathStaysNonBlocking() {
    redis.writeRow(
        project,
        Map.of("driver_id", int64(1)),
        "driver_stats",
        Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
        Instant.now());
    Specs.RequestBuilder builder =
        Specs.request(project).features("driver_stats:trips", "customer_profile:tier");
    // Enough rows for several stream chunks, all with a key of each table.
    for (int i = 0; i < 200; i++) {
      builder.row(Map.of("driver_id", int64(i % 5), "customer_id", string("c" + i)));
    }
    GetOnlineFeaturesRequestV2 request = builder.build();

    Map<String, GetOnlineFeaturesResponse> answers = clients.allFour(request);

    GetOnlineFeaturesResponse unary = answers.get("grpc");
    assertThat(unary.getFieldValues(1).getStatusesOrThrow("driver_stats:trips"))
        .isEqualTo(FieldStatus.PRESENT);
    assertThat(answers).allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(unary));
  }

  @Test
  void refusalsAndErrorPathsStayNonBlocking() {
    GetOnlineFeaturesRequestV2 unknownTable =
        Specs.request(project).features("nope:x").row(Map.of("driver_id", int64(1))).build();
    GetOnlineFeaturesRequestV2 missingEntity =
        Specs.request(project).features("driver_stats:trips").row(Map.of("x", int64(1))).build();

    for (GetOnlineFeaturesRequestV2 refused : List.of(unknownTable, missingEntity)) {
      assertThat(Status.fromThrowable(catchThrowable(() -> clients.grpc(refused))).getCode())
          .isIn(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT);
      assertThat(
              Status.fromThrowable(catchThrowable(() -> clients.grpcStreamRows(refused))).getCode())
          .isIn(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT);
      for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
        clients
            .http()
            .post()
            .uri(uri)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(GatewayClients.json(refused))
            .exchange()
            .expectStatus()
            .is4xxClientError();
      }
    }
    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      OnlineFeaturesIT.problem(
          clients
              .http()
              .post()
              .uri(uri)
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue("{\"features\":")
              .exchange(),
          HttpStatus.BAD_REQUEST,
          "INVALID_ARGUMENT");
      OnlineFeaturesIT.problem(
          clients
              .http()
              .post()
              .uri(uri)
              .contentType(MediaType.APPLICATION_JSON)
              .bodyValue("{\"project\":\"" + "x".repeat(9 * 1024 * 1024) + "\"}")
              .exchange(),
          HttpStatus.PAYLOAD_TOO_LARGE,
          "RESOURCE_EXHAUSTED");
    }
  }

  @Test
  void servingInfoHealthAndMetricsStayNonBlocking() {
    assertThat(
            clients
                .reactiveServing()
                .getFeastServingInfo(GetFeastServingInfoRequest.getDefaultInstance())
                .block(TIMEOUT)
                .getType())
        .isEqualTo(FeastServingType.FEAST_SERVING_TYPE_ONLINE);
    clients.http().get().uri("/api/v1/info").exchange().expectStatus().isOk();
    clients.http().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    clients.http().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    clients.http().get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
  }
}
