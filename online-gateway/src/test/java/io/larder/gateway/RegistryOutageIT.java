package io.larder.gateway;

import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static io.larder.gateway.support.Specs.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larder.gateway.featurespec.RegistrySpecCache;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.core.FeatureTableProto.FeatureTableSpec;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The registry goes away: the gateway keeps answering from its cached specs, stays ready, and picks
 * up new specs once the registry is back. Reloads are frequent here so that several fail during the
 * outage.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "larder.grpc.port=0",
      "larder.grpc.host=127.0.0.1",
      "larder.registry.refresh-interval=200ms",
      "larder.registry.call-timeout=1s",
      "larder.registry.retry-backoff=50ms",
      "larder.registry.max-retry-backoff=200ms"
    })
@DirtiesContext
class RegistryOutageIT {

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
  @Autowired RegistrySpecCache specs;
  @LocalServerPort int httpPort;

  @Test
  void servingContinuesFromTheCacheWhileTheRegistryIsDown() throws InterruptedException {
    String project = "outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    List<FeatureTableSpec> tables = new ArrayList<>(OnlineFeaturesIT.TABLES);
    registry.setTables(project, tables, OnlineFeaturesIT.ENTITIES);
    try (GatewayClients clients = GatewayClients.connect(grpcServer.port(), httpPort);
        OnlineStoreTestData redis = OnlineStoreTestData.connect()) {
      clients.awaitProject(project, "driver_stats:trips");
      redis.writeRow(
          project,
          Map.of("driver_id", int64(1)),
          "driver_stats",
          Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
          Instant.now());
      GetOnlineFeaturesRequestV2 request =
          Specs.request(project)
              .features("driver_stats:trips", "driver_stats:name")
              .row(Map.of("driver_id", int64(1)))
              .row(Map.of("driver_id", int64(2)))
              .build();
      GetOnlineFeaturesResponse before = clients.grpc(request);
      assertThat(before.getFieldValues(0).getStatusesOrThrow("driver_stats:trips"))
          .isEqualTo(FieldStatus.PRESENT);

      registry.stop();
      await("the gateway notices the registry is gone")
          .atMost(Duration.ofSeconds(10))
          .until(() -> specs.failingSince() != null);

      // Across several failed reloads, every API keeps answering from the cache.
      for (int round = 0; round < 4; round++) {
        assertThat(clients.allFour(request))
            .allSatisfy((api, answer) -> assertThat(answer).as(api).isEqualTo(before));
        Thread.sleep(250);
      }
      assertThat(specs.failingSince()).as("still failing").isNotNull();
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

      // Back: new specs arrive again.
      registry.restart();
      tables.add(
          table("driver_late").entities("driver_id").feature("x", ValueType.Enum.INT64).build());
      registry.setTables(project, tables, OnlineFeaturesIT.ENTITIES);
      clients.awaitProject(project, "driver_late:x");
      await("the gateway notices the registry is back")
          .atMost(Duration.ofSeconds(10))
          .until(() -> specs.failingSince() == null);
      assertThat(clients.grpc(request)).isEqualTo(before);
    }
  }
}
