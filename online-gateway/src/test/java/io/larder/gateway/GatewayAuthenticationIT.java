package io.larder.gateway;

import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.util.JsonFormat;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.serving.ServingServiceGrpc;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.support.grpc.GrpcServerLifecycle;
import io.larder.support.security.TestTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With authentication on: lookups over gRPC, the gRPC stream, HTTP JSON and NDJSON need a valid
 * token holding the reader role in the request's project; without one they end UNAUTHENTICATED
 * (401), with a role elsewhere PERMISSION_DENIED (403) naming the project and the role; health and
 * metrics answer without a token.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.security.enabled=true",
      "larder.security.secret=" + TestTokens.SECRET,
      "larder.security.issuer=" + TestTokens.ISSUER
    })
@DirtiesContext
class GatewayAuthenticationIT {

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
      "auth_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private GatewayClients clients;
  private OnlineStoreTestData redis;
  private GetOnlineFeaturesRequestV2 request;

  @BeforeEach
  void setUp() throws Exception {
    clients = GatewayClients.connect(grpcServer.port(), httpPort);
    redis = OnlineStoreTestData.connect();
    registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    redis.writeRow(
        project,
        Map.of("driver_id", int64(1)),
        "driver_stats",
        Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
        Instant.now());
    request =
        Specs.request(project)
            .features("driver_stats:trips")
            .row(Map.of("driver_id", int64(1)))
            .build();
    String reader = TestTokens.valid("model-server", "reader:" + project);
    // The gateway loads the project's tables in the background: wait for a lookup to find them.
    long until = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      try {
        grpc(reader).getOnlineFeaturesV2(request);
        break;
      } catch (RuntimeException notYet) {
        assertThat(System.nanoTime()).as("project loaded: %s", notYet).isLessThan(until);
        Thread.sleep(100);
      }
    }
  }

  @AfterEach
  void tearDown() {
    redis.close();
    clients.close();
  }

  @Test
  void noTokenIsUnauthenticatedOnEveryApi() {
    Status grpc =
        status(
            () ->
                ServingServiceGrpc.newBlockingStub(clients.channel())
                    .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .getOnlineFeaturesV2(request));
    assertThat(grpc.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(grpc.getDescription()).contains("Bearer");
    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      clients
          .http()
          .post()
          .uri(uri)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(json(request))
          .exchange()
          .expectStatus()
          .isUnauthorized()
          .expectBody()
          .jsonPath("$.code")
          .isEqualTo("UNAUTHENTICATED");
    }
  }

  @Test
  void expiredForgedAndForeignIssuerTokensAreUnauthenticated() {
    String expired = TestTokens.expired("late", "reader:" + project);
    String forged = TestTokens.valid("forger", "reader:*") + "x";
    String foreign =
        TestTokens.signed(
            "other",
            Instant.now().plusSeconds(600),
            "https://elsewhere.example",
            TestTokens.SECRET,
            "reader:" + project);

    assertThat(status(() -> grpc(expired).getOnlineFeaturesV2(request)).getDescription())
        .contains("expired");
    for (String refused : List.of(expired, forged, foreign)) {
      assertThat(status(() -> grpc(refused).getOnlineFeaturesV2(request)).getCode())
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      clients
          .http()
          .post()
          .uri(GatewayClients.ONLINE)
          .header("Authorization", "Bearer " + refused)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(json(request))
          .exchange()
          .expectStatus()
          .isUnauthorized();
    }
  }

  @Test
  void aRoleInAnotherProjectIsPermissionDeniedNamingProjectAndRole() {
    String elsewhere = TestTokens.valid("intruder", "admin:other_project");

    Status grpc = status(() -> grpc(elsewhere).getOnlineFeaturesV2(request));
    assertThat(grpc.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(grpc.getDescription()).contains(project).contains("reader");
    for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
      clients
          .http()
          .post()
          .uri(uri)
          .header("Authorization", "Bearer " + elsewhere)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(json(request))
          .exchange()
          .expectStatus()
          .isForbidden()
          .expectBody()
          .jsonPath("$.code")
          .isEqualTo("PERMISSION_DENIED");
    }
  }

  @Test
  void readersOfTheProjectOrOfEveryProjectRead() {
    for (String reader :
        List.of(
            TestTokens.valid("model-server", "reader:" + project),
            TestTokens.valid("platform", "reader:*"))) {
      GetOnlineFeaturesResponse answer = grpc(reader).getOnlineFeaturesV2(request);
      assertThat(answer.getFieldValues(0).getStatusesOrThrow("driver_stats:trips"))
          .isEqualTo(FieldStatus.PRESENT);
      clients
          .http()
          .post()
          .uri(GatewayClients.ONLINE)
          .header("Authorization", "Bearer " + reader)
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue(json(request))
          .exchange()
          .expectStatus()
          .isOk()
          .expectBody()
          .jsonPath("$.fieldValues[0].statuses['driver_stats:trips']")
          .isEqualTo("PRESENT");
    }
  }

  @Test
  void healthAndMetricsAnswerWithoutAToken() {
    clients.http().get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    clients.http().get().uri("/actuator/prometheus").exchange().expectStatus().isOk();
  }

  private ServingServiceGrpc.ServingServiceBlockingStub grpc(String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return ServingServiceGrpc.newBlockingStub(clients.channel())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Status status(Runnable call) {
    return Status.fromThrowable(catchThrowable(call::run));
  }

  private static String json(GetOnlineFeaturesRequestV2 request) {
    try {
      return JsonFormat.printer().print(request);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
