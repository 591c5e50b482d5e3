package io.larder.gateway;

import static io.larder.gateway.support.Specs.float64;
import static io.larder.gateway.support.Specs.int64;
import static io.larder.gateway.support.Specs.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.gateway.store.redis.RedisServerProcess;
import io.larder.gateway.store.redis.RedisTestSupport;
import io.larder.gateway.support.FakeRegistry;
import io.larder.gateway.support.GatewayClients;
import io.larder.gateway.support.OnlineStoreTestData;
import io.larder.gateway.support.Specs;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesRequestV2;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse;
import io.larder.proto.serving.ServingServiceProto.GetOnlineFeaturesResponse.FieldStatus;
import io.larder.proto.types.ValueProto.Value;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Redis killed under a running gateway, seen from its clients: gRPC UNAVAILABLE and HTTP 503 within
 * the command timeout, no thread growth while clients keep calling, correct answers again within 2
 * s of Redis coming back, without restarting the gateway.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"larder.grpc.port=0", "larder.grpc.host=127.0.0.1"})
@DirtiesContext
class GatewayRedisOutageIT {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(250);
  private static final FakeRegistry registry = FakeRegistry.started();
  private static final RedisServerProcess redis =
      new RedisServerProcess(RedisTestSupport.freePort()).start();

  @DynamicPropertySource
  static void wiring(DynamicPropertyRegistry properties) {
    properties.add("larder.registry.target", registry::target);
    properties.add("larder.redis.uri", redis::uri);
    properties.add("larder.redis.command-timeout", () -> COMMAND_TIMEOUT.toMillis() + "ms");
  }

  @AfterAll
  static void stopAll() {
    registry.stop();
    redis.close();
  }

  @Autowired GrpcServerLifecycle grpcServer;
  @LocalServerPort int httpPort;

  @Test
  void redisKilledAnswersUnavailableFastThenRecoversWithinTwoSeconds() throws Exception {
    String project = "redis_out_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips", "driver_stats:name")
            .row(Map.of("driver_id", int64(1)))
            .build();
    try (GatewayClients clients = GatewayClients.connect(grpcServer.port(), httpPort)) {
      clients.awaitProject(project, "driver_stats:trips");
      OnlineStoreTestData before = seed(project);
      GetOnlineFeaturesResponse healthy = clients.grpc(request);
      assertThat(healthy.getFieldValues(0).getFieldsOrThrow("driver_stats:trips").getInt64Val())
          .isEqualTo(10);

      before.close(); // its keys go with the killed server anyway
      redis.kill();
      assertHttpUnavailable(clients, request); // also starts the HTTP client's own threads
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      long slowest = 0;
      for (int i = 0; i < 300; i++) {
        long started = System.nanoTime();
        StatusRuntimeException refused =
            catchThrowableOfType(StatusRuntimeException.class, () -> clients.grpc(request));
        slowest = Math.max(slowest, System.nanoTime() - started);
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      }
      assertThat(Duration.ofNanos(slowest))
          .as("no call waits longer than the Redis command timeout (plus call overhead)")
          .isLessThan(COMMAND_TIMEOUT.plusMillis(250));
      assertHttpUnavailable(clients, request);
      assertThat(ManagementFactory.getThreadMXBean().getThreadCount())
          .as("failed calls hold no thread")
          .isLessThanOrEqualTo(threadsBefore + 3);

      redis.start();
      OnlineStoreTestData after = seed(project);
      long back = System.nanoTime();
      GetOnlineFeaturesResponse answer = null;
      while (answer == null && System.nanoTime() - back < Duration.ofSeconds(2).toNanos()) {
        try {
          answer = clients.grpc(request);
        } catch (StatusRuntimeException stillDown) {
          Thread.sleep(20);
        }
      }
      assertThat(answer).as("answers within 2 s of Redis coming back").isEqualTo(healthy);
      after.close();
    }
  }

  @Test
  void redisBackEmptyAfterACrashAnswersNotFoundNeverAnErrorAndReadinessSaysEmpty()
      throws Exception {
    String project =
        "redis_empty_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    registry.setTables(project, OnlineFeaturesIT.TABLES, OnlineFeaturesIT.ENTITIES);
    GetOnlineFeaturesRequestV2 request =
        Specs.request(project)
            .features("driver_stats:trips", "driver_stats:name")
            .row(Map.of("driver_id", int64(1)))
            .build();
    try (GatewayClients clients = GatewayClients.connect(grpcServer.port(), httpPort)) {
      clients.awaitProject(project, "driver_stats:trips");
      OnlineStoreTestData before = seed(project);
      assertThat(clients.grpc(request).getFieldValues(0).getStatusesOrThrow("driver_stats:trips"))
          .isEqualTo(FieldStatus.PRESENT);
      assertThat(readiness(clients)).isEqualTo("200 UP");

      before.close();
      redis.kill();
      try {
        awaitReadiness(clients, "503 DOWN");
      } finally {
        // Back from the crash without its data (no persistence): nothing is seeded again.
        redis.start();
      }

      GetOnlineFeaturesResponse answer = null;
      long back = System.nanoTime();
      while (answer == null && System.nanoTime() - back < Duration.ofSeconds(5).toNanos()) {
        try {
          answer = clients.grpc(request);
        } catch (StatusRuntimeException stillDown) {
          Thread.sleep(20);
        }
      }
      assertThat(answer).as("answers within 5 s of Redis coming back").isNotNull();
      assertThat(answer.getFieldValues(0).getStatusesMap())
          .containsEntry("driver_stats:trips", FieldStatus.NOT_FOUND)
          .containsEntry("driver_stats:name", FieldStatus.NOT_FOUND);
      assertThat(answer.getFieldValues(0).getFieldsOrThrow("driver_stats:trips"))
          .as("no stale value")
          .isEqualTo(Value.getDefaultInstance());
      awaitReadiness(clients, "200 EMPTY");
    }
  }

  /** Status code and the readiness group's status, e.g. "200 UP". */
  private static String readiness(GatewayClients clients) {
    var result =
        clients
            .http()
            .get()
            .uri("/actuator/health/readiness")
            .exchange()
            .expectBody(String.class)
            .returnResult();
    String body = String.valueOf(result.getResponseBody());
    String status = body.replaceAll("(?s).*\"status\"\\s*:\\s*\"([A-Z_]+)\".*", "$1");
    return result.getStatus().value() + " " + status;
  }

  private static void awaitReadiness(GatewayClients clients, String expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String seen = readiness(clients);
    while (!seen.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = readiness(clients);
    }
    assertThat(seen).isEqualTo(expected);
  }

  private static void assertHttpUnavailable(
      GatewayClients clients, GetOnlineFeaturesRequestV2 request) {
    clients
        .http()
        .post()
        .uri("/api/v1/features/online")
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(GatewayClients.json(request))
        .exchange()
        .expectStatus()
        .isEqualTo(503)
        .expectHeader()
        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
  }

  /**
   * Writes the row and returns the open writer (closing it deletes what it wrote). Redis runs
   * without persistence, so a restarted server starts empty and is seeded again.
   */
  private static OnlineStoreTestData seed(String project) {
    OnlineStoreTestData data = OnlineStoreTestData.connect(redis.uri());
    data.writeRow(
        project,
        Map.of("driver_id", int64(1)),
        "driver_stats",
        Map.of("trips", int64(10), "rating", float64(4.5), "name", string("ann")),
        Instant.parse("2030-01-01T00:00:00Z"));
    return data;
  }
}
