package io.larder.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.Specs;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The registry is not there when the gateway starts: after the start-up timeout the gateway runs
 * anyway, not ready and answering UNAVAILABLE (HTTP 503), until the registry appears; then it
 * becomes ready and serves without a restart.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.registry.startup-timeout=1s",
      "larder.registry.call-timeout=1s",
      "larder.registry.retry-backoff=50ms",
      "larder.registry.max-retry-backoff=200ms"
    })
@DirtiesContext
class RegistryUnreachableAtStartupIT {

  private static final int REGISTRY_PORT = freePort();
  private static final FakeRegistry registry = new FakeRegistry();

  @DynamicPropertySource
  static void registryTarget(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", () -> "127.0.0.1:" + REGISTRY_PORT);
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  @Test
  void notReadyAndUnavailableUntilTheRegistryAppears() {
    String project = "late_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips")
            .row(Map.of("driver_id", Specs.int64(1)))
            .build();
    try (GatewayClients clients = GatewayClients.connect(grpcServer.port(), httpPort)) {
      clients.http().get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
      clients
          .http()
          .get()
          .uri("/actuator/health/readiness")
          .exchange()
          .expectStatus()
          .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
      assertThat(Status.fromThrowable(catchThrowable(() -> clients.grpc(request))).getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(
              Status.fromThrowable(catchThrowable(() -> clients.grpcStreamRows(request))).getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
      for (String uri : List.of(GatewayClients.ONLINE, GatewayClients.STREAM)) {
        OnlineFeaturesIT.problem(
            clients
                .http()
                .post()
                .uri(uri)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(GatewayClients.json(request))
                .exchange(),
            HttpStatus.SERVICE_UNAVAILABLE,
            "UNAVAILABLE");
      }

      registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
      registry.start(REGISTRY_PORT);

      clients.awaitProject(project, "driver_stats:trips");
      await("ready")
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  clients
                      .http()
                      .get()
                      .uri("/actuator/health/readiness")
                      .exchange()
                      .expectStatus()
                      .isOk());
      assertThat(clients.allFour(request))
          .allSatisfy(
              (api, answer) ->
                  assertThat(answer.getFieldValues(0).getStatusesOrThrow("driver_stats:trips"))
                      .as(api)
                      .isEqualTo(FieldStatus.NOT_FOUND));
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
