package io.larder.registry;

import static io.larder.registry.support.RegistryFixtures.entity;
import static io.larder.registry.support.RegistryFixtures.getEntity;
import static io.larder.registry.support.RegistryFixtures.uniqueProject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.larder.proto.types.ValueProto.ValueType;
import io.larder.registry.support.GrpcClients;
import io.larder.support.grpc.GrpcServerLifecycle;
import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * PostgreSQL stopped under a running registry: every request answers UNAVAILABLE (HTTP 503) at
 * once, readiness goes DOWN so a load balancer stops sending traffic, and both recover by
 * themselves when PostgreSQL is back.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PostgresOutageIT {

  /** Far above the 100 ms the fault script measures; only a hang or a slow retry exceeds it. */
  private static final Duration FAST = Duration.ofSeconds(2);

  @Test
  void answersUnavailableAndIsNotReadyWithoutPostgresThenRecoversByItself() throws Exception {
    try (ConfigurableApplicationContext registry =
            new SpringApplicationBuilder(RegistryApplication.class)
                .run("--larder.grpc.port=0", "--larder.grpc.host=127.0.0.1", "--server.port=0");
        GrpcClients clients =
            GrpcClients.connect(registry.getBean(GrpcServerLifecycle.class).port())) {
      int httpPort = ((WebServerApplicationContext) registry).getWebServer().getPort();
      WebTestClient http =
          WebTestClient.bindToServer()
              .baseUrl("http://127.0.0.1:" + httpPort)
              .responseTimeout(Duration.ofSeconds(10))
              .build();
      String project = uniqueProject();
      clients.apply(project, entity("driver", ValueType.Enum.STRING));
      http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

      stack("stop");
      try {
        // Several calls: the first may meet a pooled connection, the rest a refused connect.
        for (int call = 0; call < 5; call++) {
          long started = System.nanoTime();
          assertThatThrownBy(() -> clients.core().getEntity(getEntity(project, "driver")))
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  error -> {
                    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(error.getStatus().getDescription()).contains("PostgreSQL");
                  });
          assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
        }
        http.get()
            .uri("/api/v1/projects/{project}/entities/driver", project)
            .exchange()
            .expectStatus()
            .isEqualTo(503)
            .expectBody()
            .jsonPath("$.code")
            .isEqualTo("UNAVAILABLE");
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
      } finally {
        stack("start");
      }

      await(
          () -> {
            try {
              return clients
                  .core()
                  .getEntity(getEntity(project, "driver"))
                  .getEntity()
                  .getSpec()
                  .getName()
                  .equals("driver");
            } catch (StatusRuntimeException stillDown) {
              return false;
            }
          },
          "reads answer again");
      await(
          () ->
              http.get()
                  .uri("/actuator/health/readiness")
                  .exchange()
                  .returnResult(String.class)
                  .getStatus()
                  .is2xxSuccessful(),
          "readiness UP again");
    }
  }

  /** scripts/stack stop|start postgres: the project's own script, the stack the tests share. */
  private static void stack(String action) throws Exception {
    Process process =
        new ProcessBuilder("../scripts/stack", action, "postgres")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/stack-outage.log")))
            .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("scripts/stack " + action + " postgres took over 90 s");
    }
    assertThat(process.exitValue()).as("scripts/stack %s postgres", action).isZero();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 60 s: %s", what).isLessThan(until);
      Thread.sleep(250);
    }
  }
}
